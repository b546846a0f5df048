import { fileURLToPath } from 'node:url';
import { defineConfig, type Connect, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { isSeekerPath } from './src/lib/paths.ts';

/**
 * Two HTML entries: index.html (the staff app, which owns every path) and
 * seeker.html (the pages seekers open: /portal and /r/<token>, see
 * isSeekerPath). The dev server and `vite preview` serve seeker.html for
 * those paths and keep the history fallback to index.html for the rest;
 * production hosting does the same with public/_redirects (README, "Hosting").
 */
function seekerPages(): Plugin {
  const rewrite: Connect.NextHandleFunction = (req, _res, next) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if ((req.method === 'GET' || req.method === 'HEAD') && isSeekerPath(url.pathname)) {
      req.url = `/seeker.html${url.search}`;
    }
    next();
  };
  return {
    name: 'seeker-pages',
    configureServer: (server) => void server.middlewares.use(rewrite),
    configurePreviewServer: (server) => void server.middlewares.use(rewrite),
  };
}

/**
 * The staff app's stylesheet (Mantine's, 37 KB gzip) is preloaded instead of
 * linked, so it no longer blocks the first paint: index.html's shell (its own
 * inline styles) paints with the HTML, and src/main.tsx applies the
 * stylesheet and renders once it has arrived. It used to hold the first paint
 * until it had shared the connection with every script the entry preloads.
 */
function staffStylesAfterShell(): Plugin {
  return {
    name: 'staff-styles-after-shell',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html, ctx) =>
        ctx.filename.endsWith('/index.html')
          ? html.replace(
              /<link rel="stylesheet"( crossorigin)? href="([^"]+)">/g,
              (_, cors: string | undefined, href: string) =>
                `<link rel="preload" as="style"${cors ?? ''} href="${href}" data-app-styles>`,
            )
          : html,
    },
  };
}

export default defineConfig({
  plugins: [react(), seekerPages(), staffStylesAfterShell()],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
      // data shared with the edge functions (plain modules without imports)
      '@shared': fileURLToPath(new URL('./supabase/functions/_shared', import.meta.url)),
    },
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1' },
  build: {
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        seeker: fileURLToPath(new URL('./seeker.html', import.meta.url)),
      },
    },
  },
});
