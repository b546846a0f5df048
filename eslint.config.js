// Lint for the SPA, the local stack, the benchmarks and the tests. Edge
// functions run on Deno and are checked by `deno check` instead. The import
// boundaries between src/ layers and stack/ are the blocks boundaries() makes.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'dist-*',
      '.stack*',
      'test-results',
      'src/lib/database.types.ts',
      'supabase/functions/**',
      'tests/fixtures/functions/**', // Deno code: npm run check:functions
      'supabase/migrations/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}', 'tests/components/**/*.{ts,tsx}', 'tests/unit/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['stack/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'tests/**/*.ts', '*.config.{ts,js}', 'stack/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...boundaries(),
);

/*
 * Boundaries. Imports go one way: src/lib, src/components and src/i18n →
 * src/features → src/app; a feature uses another only through its index.ts;
 * src/ and stack/ never import each other (the stack holds the service-role
 * key and knows nothing of the app; the app's own benchmarks live in bench/).
 *
 * ESLint does not merge a rule's options across config blocks: the last block
 * that matches a file decides (so a restriction of no-restricted-imports or
 * no-restricted-syntax for src/ or stack/ belongs in here, not in a block of
 * its own, which would replace these or be replaced by them). So every file gets exactly one final block
 * carrying all of its restrictions: blocks go from general (all of src/) to
 * specific (one feature folder), and each lists everything that applies.
 * Relative paths are checked by depth (a file N folders below its area's root
 * may not climb N+1 times), which is why there is one block per depth. The same
 * patterns also cover `import('…')` (no-restricted-imports sees only static
 * imports and re-exports).
 */
function boundaries() {
  const STACK = {
    regex: '(^|/)stack(/|$)',
    message: 'The app must not import the local stack (it holds the service-role key).',
  };
  const APP = {
    regex: '^@/app(/|$)',
    message: 'Only src/app imports src/app. Move what a feature needs to src/lib (as paths.ts).',
  };
  const FEATURES = {
    regex: '^@/features(/|$)',
    message: 'src/lib, src/components and src/i18n sit below the features: they must not import a feature.',
  };
  const FEATURE_INTERNALS = {
    regex: '^@/features/[^/]+/(?!index(\\.tsx?)?$)',
    message:
      "Use a feature only through its index.ts: import from '@/features/<name>' (inside a feature, use relative paths).",
  };
  const SRC = {
    regex: '^@/',
    message: 'The local stack knows nothing of the app: it must not import from src/.',
  };
  const leaving = (depth, message) => ({ regex: `^(\\.\\./){${depth}}\\.\\.(/|$)`, message });
  /*
   * The pages seekers open (seeker.html → src/seeker.tsx: /portal, /r/<token>)
   * are their own small entry: nothing of the staff app may reach it (no
   * Mantine, staff router, staff features or components, toasts, the staff
   * query client). The files it is made of carry these too (the blocks after
   * the areas below).
   */
  const SEEKER = [
    {
      regex: '^@mantine/',
      message: "Seekers' pages load no Mantine: use src/components/seeker-ui.tsx (styled in seeker.html).",
    },
    {
      regex: '^react-router',
      message: "Seekers' pages do not load the staff router: use src/lib/seeker-router.tsx.",
    },
    { regex: '^@tanstack/react-query-devtools', message: "Seekers' pages do not load developer tools." },
    {
      regex: '^@/features/(?!(portal|one-click)(/|$))',
      message: "Seekers' pages must not import staff features (only the portal and the one-click page).",
    },
    {
      regex: '^@/components/(?!seeker-ui$)',
      message: "Seekers' pages use src/components/seeker-ui.tsx, not the staff components (Mantine).",
    },
    {
      regex: '^@/lib/(notify|query-client|session-expiry)$',
      message: "Seekers' pages do not load the staff app's toasts, query client or session expiry.",
    },
  ];

  const areas = [
    {
      roots: ['src'],
      patterns: [STACK],
      outside: 'The app imports nothing outside src/ (the local stack holds the service-role key).',
    },
    {
      roots: ['src/lib', 'src/components', 'src/i18n'],
      patterns: [STACK, FEATURES, APP],
      outside: "Outside its own folder, import through '@/…' (never a feature or src/app).",
    },
    {
      roots: ['src/features/*'],
      patterns: [STACK, APP, FEATURE_INTERNALS],
      outside: "A feature reaches outside its folder only through '@/…' (another feature only through its index.ts).",
    },
    // after the general areas, so these blocks decide for the seeker pages' folders
    {
      roots: ['src/i18n'],
      patterns: [STACK, FEATURES, APP, ...SEEKER],
      outside: "Outside its own folder, import through '@/…' (never a feature or src/app).",
    },
    {
      roots: ['src/features/portal', 'src/features/one-click'],
      patterns: [STACK, APP, FEATURE_INTERNALS, ...SEEKER],
      outside: "A feature reaches outside its folder only through '@/…' (another feature only through its index.ts).",
    },
    {
      roots: ['stack'],
      patterns: [SRC],
      outside: 'The local stack imports nothing outside stack/ (not the app in src/, not the benchmarks in bench/).',
    },
  ];

  const DEEPEST = 6;
  const EXT = '*.{ts,tsx,js,mjs}';
  const rules = (patterns) => ({
    'no-restricted-imports': ['error', { patterns: patterns.map(({ regex, message }) => ({ regex, message })) }],
    'no-restricted-syntax': [
      'error',
      // esquery regexes cannot contain a slash: spell it \x2F.
      ...patterns.map(({ regex, message }) => ({
        selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`,
        message,
      })),
    ],
  });

  // single files of the seeker entry outside those folders
  const seekerFiles = [
    {
      files: ['src/seeker.tsx'],
      rules: rules([
        STACK,
        APP,
        FEATURE_INTERNALS,
        ...SEEKER,
        leaving(0, 'The app imports nothing outside src/ (the local stack holds the service-role key).'),
      ]),
    },
    {
      files: ['src/components/seeker-ui.tsx', 'src/lib/seeker-router.tsx'],
      rules: rules([
        STACK,
        FEATURES,
        APP,
        ...SEEKER,
        leaving(0, "Outside its own folder, import through '@/…' (never a feature or src/app)."),
      ]),
    },
  ];

  return [
    ...areas.flatMap(({ roots, patterns, outside }) => [
      // any depth (deeper than DEEPEST, relative paths unchecked)
      { files: roots.map((root) => `${root}/**/${EXT}`), rules: rules(patterns) },
      ...Array.from({ length: DEEPEST + 1 }, (_, depth) => ({
        files: roots.map((root) => `${root}/${'*/'.repeat(depth)}${EXT}`),
        rules: rules([...patterns, leaving(depth, outside)]),
      })),
    ]),
    ...seekerFiles,
  ];
}
