/**
 * The import boundaries of eslint.config.js, checked with ESLint itself on
 * small pieces of code placed (virtually) at real paths of the repository:
 * each wrong import is reported with the boundary's own message, and the
 * imports the layout allows are not.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let eslint: ESLint;

// Loading the config and the TypeScript parser takes seconds on a busy
// machine: done once here, so each case below only lints a line or two.
beforeAll(async () => {
  eslint = new ESLint({ cwd: root });
  await eslint.lintText('', { filePath: 'src/lib/warm-up.ts' });
}, 60_000);

/** The boundary messages ESLint reports for `code` placed at `file`. */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    [
      'a feature importing the app shell',
      'src/features/seekers/routes/people.tsx',
      "import { App } from '@/app/app';",
      /Only src\/app imports src\/app/,
    ],
    [
      'a feature importing the app shell by a relative path',
      'src/features/seekers/routes/people.tsx',
      "import { theme } from '../../../app/theme';",
      /reaches outside its folder/,
    ],
    [
      'a feature importing the app shell lazily',
      'src/features/seekers/routes/people.tsx',
      "export const load = () => import('@/app/router');",
      /Only src\/app imports src\/app/,
    ],
    [
      "a feature importing another feature's internals",
      'src/features/seekers/routes/seeker-profile.tsx',
      "import { referralKeys } from '@/features/referrals/api/keys';",
      /only through its index\.ts/,
    ],
    [
      "a feature re-exporting another feature's internals",
      'src/features/seekers/index.ts',
      "export * from '@/features/referrals/components/status-badge';",
      /only through its index\.ts/,
    ],
    [
      "a feature reaching another feature's folder by a relative path",
      'src/features/seekers/api/keys.ts',
      "import { referralKeys } from '../../referrals';",
      /reaches outside its folder/,
    ],
    [
      'lib importing a feature',
      'src/lib/format.ts',
      "import { useMe } from '@/features/auth';",
      /must not import a feature/,
    ],
    [
      'lib importing a feature by a relative path',
      'src/lib/format.ts',
      "import { useMe } from '../features/auth';",
      /Outside its own folder/,
    ],
    [
      'a shared component importing the app shell',
      'src/components/organisation-select.tsx',
      "import { theme } from '@/app/theme';",
      /Only src\/app imports src\/app/,
    ],
    [
      'the app importing the local stack',
      'src/app/provider.tsx',
      "import { KEYS } from '../../stack/config.ts';",
      /must not import the local stack/,
    ],
    [
      'a feature importing the local stack',
      'src/features/auth/api/sign-in.ts',
      "import { KEYS } from '../../../../stack/config.ts';",
      /must not import the local stack/,
    ],
    [
      'the local stack importing the app by alias',
      'stack/gateway.ts',
      "import { paths } from '@/lib/paths';",
      /must not import from src\//,
    ],
    [
      'the local stack importing the app by a relative path',
      'stack/realtime/server.ts',
      "import type { Database } from '../../src/lib/database.types.ts';",
      /imports nothing outside stack\//,
    ],
    [
      "the local stack importing the app's benchmarks",
      'stack/cli.ts',
      "import '../bench/db.ts';",
      /imports nothing outside stack\//,
    ],
    [
      'a seeker page importing Mantine',
      'src/features/portal/components/portal-sign-in.tsx',
      "import { Button } from '@mantine/core';",
      /Seekers' pages load no Mantine/,
    ],
    [
      'a seeker page importing Mantine lazily',
      'src/features/one-click/routes/one-click.tsx',
      "export const load = () => import('@mantine/core');",
      /Seekers' pages load no Mantine/,
    ],
    [
      'the seeker entry importing the staff router',
      'src/seeker.tsx',
      "import { createBrowserRouter } from 'react-router-dom';",
      /do not load the staff router/,
    ],
    [
      'the seeker entry importing the staff app',
      'src/seeker.tsx',
      "import { App } from '@/app/app';",
      /Only src\/app imports src\/app/,
    ],
    [
      'a seeker page importing a staff feature',
      'src/features/one-click/routes/one-click.tsx',
      "import { StatusBadge } from '@/features/referrals';",
      /must not import staff features/,
    ],
    [
      'a seeker page importing a staff component',
      'src/features/portal/routes/portal.tsx',
      "import { Pager } from '@/components/pager';",
      /not the staff components/,
    ],
    [
      "a seeker page importing the staff app's toasts",
      'src/features/portal/components/signed-in.tsx',
      "import { notifyError } from '@/lib/notify';",
      /toasts, query client or session expiry/,
    ],
    [
      'the seekers’ translations importing Mantine',
      'src/i18n/index.ts',
      "import { Text } from '@mantine/core';",
      /Seekers' pages load no Mantine/,
    ],
    [
      'the seekers’ building blocks importing Mantine',
      'src/components/seeker-ui.tsx',
      "import { Button } from '@mantine/core';",
      /Seekers' pages load no Mantine/,
    ],
  ])('reports %s', async (_, file, code, message) => {
    const errors = await boundaryErrors(file, code);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(message);
  });

  it.each([
    [
      'a feature using another through its index.ts',
      'src/features/seekers/routes/seeker-profile.tsx',
      "import { ReferralTable } from '@/features/referrals';\nimport { useMe } from '@/features/auth/index';",
    ],
    [
      'a feature using lib, components and i18n',
      'src/features/seekers/routes/people.tsx',
      "import { paths } from '@/lib/paths';\nimport { OrganisationSelect } from '@/components/organisation-select';\nimport { seekerI18n } from '@/i18n';",
    ],
    [
      'a feature using its own files',
      'src/features/referrals/components/referral-drawer.tsx',
      "import { statusLabel } from '../status';\nimport { useReferral } from '../api/get-referral';\nimport { NotesList } from './notes-list';",
    ],
    [
      'the app using features, also lazily',
      'src/app/router.tsx',
      "import { RequireAuth } from '@/features/auth';\nimport { paths } from '@/lib/paths';\nimport { RouteError } from './routes/route-error';\nexport const load = () => import('@/features/seekers/routes/people');",
    ],
    [
      'the seeker entry using the seeker pages, their building blocks and translations',
      'src/seeker.tsx',
      "import { PortalPage } from '@/features/portal';\nimport { OneClickPage } from '@/features/one-click';\nimport { useT } from '@/i18n';\nimport { usePathname } from '@/lib/seeker-router';",
    ],
    [
      'a seeker page loading the Supabase client and TanStack Query',
      'src/features/portal/components/signed-in.tsx',
      "import { QueryClient } from '@tanstack/react-query';\nimport { Notice } from '@/components/seeker-ui';\nexport const load = () => import('@/lib/supabase');",
    ],
    [
      'lib using lib',
      'src/lib/query-client.ts',
      "import { errorMessage } from './errors';\nimport { supabase } from '@/lib/supabase';",
    ],
    [
      'the local stack using its own modules',
      'stack/realtime/server.ts',
      "import { KEYS } from '../config.ts';\nimport { runService } from '../service.ts';",
    ],
    [
      'a benchmark using the stack and the app’s select strings',
      'bench/db.ts',
      "import { KEYS } from '../stack/config.ts';\nimport { REFERRAL_COLUMNS } from '../src/features/referrals/api/columns.ts';",
    ],
    [
      'a package whose name contains "stack"',
      'src/lib/query-client.ts',
      "import { QueryClient } from '@tanstack/react-query';",
    ],
  ])('allows %s', async (_, file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});
