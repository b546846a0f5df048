// Lint for the SPA, the local stack and the tests. Edge functions run on Deno
// and are checked by `deno check` instead.
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
    files: ['stack/**/*.ts', 'tests/**/*.ts', '*.config.{ts,js}', 'stack/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [],
          patterns: [],
        },
      ],
    },
  },
  {
    // The browser bundle must never see the service-role key or the stack's internals.
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/stack/**', '../../stack/*'], message: 'The app must not import the local stack (it holds the service-role key).' }] },
      ],
    },
  },
);
