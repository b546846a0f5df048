/* global Deno */
// Runs ONE edge function under Deno the way Supabase's edge runtime does:
// the function's module calls Deno.serve(handler) at top level; here that
// call is bound to the port the functions service chose. Plain JavaScript so
// Deno runs it without type-checking.
const port = Number(Deno.env.get('FUNCTION_PORT'));
const entry = Deno.env.get('FUNCTION_ENTRY');
const realServe = Deno.serve.bind(Deno);

Deno.serve = (a, b) => {
  // Deno.serve(handler) | Deno.serve(options, handler) | Deno.serve({ ...options, handler })
  const handler = typeof a === 'function' ? a : typeof b === 'function' ? b : a?.handler;
  const options = typeof a === 'object' && a !== null ? a : {};
  return realServe(
    {
      ...options,
      port,
      hostname: '127.0.0.1',
      onListen: () => console.log(`function listening on ${port}`),
    },
    handler,
  );
};

await import(entry);
