/**
 * The checks of Supabase's database advisor (splinter) that apply to our
 * schema, written as equivalent SQL: each must find nothing. Plus the
 * realtime setup dashboards rely on.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, sql } from '../support/stack.ts';

/** Schemas our migrations own (public is exposed; private holds helpers). */
const OURS = `('public', 'private', 'hooks')`;

const lints: Record<string, string> = {
  // 0013: a table in an exposed schema without RLS
  rls_disabled_in_public: `
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity`,

  // 0007: policies that do nothing because RLS is off
  policy_exists_rls_disabled: `
    select c.relname as name from pg_policy p join pg_class c on c.oid = p.polrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ${OURS} and not c.relrowsecurity`,

  // 0011: functions without a fixed search_path (extension members excluded).
  // Four exceptions, on purpose: private.reaches, the visibility rule, is plain
  // SQL over built-in operators so that Postgres inlines it into the policies
  // (a SET clause stops inlining); it names no table, function or type. And
  // private.report_scope, the rows of a report, inlined into the report
  // functions the same way; every name in it is schema-qualified. And
  // private.seeker_reach_keys, a search row's ids with their arm, inlined
  // into the people-search trigger and rebuild; it names only built-in
  // functions. And
  // hooks.before_request, PostgREST's pre-request: the settings it makes must
  // last for the request, and Postgres ends those of a function with a SET
  // clause together with the function; every name in it is schema-qualified.
  function_search_path_mutable: `
    select n.nspname || '.' || p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ${OURS}
      and p.oid <> 'private.reaches(uuid[], uuid[], uuid[], uuid[])'::regprocedure
      and p.oid <> 'private.report_scope(timestamptz, timestamptz, uuid[], uuid[])'::regprocedure
      and p.oid <> 'private.seeker_reach_keys(uuid[], uuid[])'::regprocedure
      and p.oid <> 'hooks.before_request()'::regprocedure
      and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
      and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) cfg where cfg like 'search_path=%')`,

  // 0003: auth.<fn>() or current_setting() re-evaluated per row (not wrapped in a select)
  auth_rls_initplan: `
    select schemaname || '.' || tablename || ': ' || policyname as name from pg_policies
    where schemaname in ${OURS}
      and exists (
        select 1 from unnest(array[lower(coalesce(qual, '')), lower(coalesce(with_check, ''))]) expr
        where (expr like '%auth.uid()%' and expr not like '%select auth.uid()%')
           or (expr like '%auth.jwt()%' and expr not like '%select auth.jwt()%')
           or (expr like '%auth.role()%' and expr not like '%select auth.role()%')
           or (expr like '%auth.email()%' and expr not like '%select auth.email()%')
           or (expr like '%current_setting(%' and expr not like '%select current_setting(%')
      )`,

  // 0006: more than one permissive policy for the same table, role and action
  multiple_permissive_policies: `
    select format('%s.%s %s %s', schemaname, tablename, r.role, a.action) as name
    from pg_policies pol
    cross join lateral unnest(pol.roles) as r(role)
    cross join lateral unnest(case when pol.cmd = 'ALL' then array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] else array[pol.cmd] end) as a(action)
    where schemaname in ${OURS} and permissive = 'PERMISSIVE'
    group by schemaname, tablename, r.role, a.action
    having count(*) > 1`,

  // 0010: views that run with their owner's rights
  security_definer_view: `
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'v'
      and not coalesce('security_invoker=true' = any (c.reloptions) or 'security_invoker=on' = any (c.reloptions), false)`,

  // 0002: auth.users reachable through a view in an exposed schema
  auth_users_exposed: `
    select distinct c.relname as name from pg_depend d
    join pg_rewrite r on r.oid = d.objid
    join pg_class c on c.oid = r.ev_class
    join pg_namespace n on n.oid = c.relnamespace
    where d.refobjid = 'auth.users'::regclass and n.nspname = 'public' and c.relkind in ('v', 'm')
      and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select'))`,

  // 0014: extensions installed in public
  extension_in_public: `
    select e.extname as name from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where n.nspname = 'public'`,

  // 0009: identical indexes on the same table
  duplicate_index: `
    select string_agg(i.indexrelid::regclass::text, ', ') as name from pg_index i
    join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ${OURS}
    group by i.indrelid, i.indkey::text, i.indclass::text, i.indcollation::text,
             coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), coalesce(pg_get_expr(i.indpred, i.indrelid), '')
    having count(*) > 1`,

  // 0015: policies trusting user-editable metadata
  rls_references_user_metadata: `
    select schemaname || '.' || tablename || ': ' || policyname as name from pg_policies
    where schemaname in ${OURS}
      and (coalesce(qual, '') || coalesce(with_check, '')) ~* 'user_metadata|raw_user_meta_data'`,

  // 0028/0029: security definer functions callable over the API
  security_definer_function_exposed: `
    select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.prosecdef
      and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))`,

  // the private schema must not be reachable by anonymous callers
  private_schema_exposed: `
    select 'private' as name where has_schema_privilege('anon', 'private', 'usage')`,

  // 0001 (info level, kept anyway): foreign keys without an index
  unindexed_foreign_keys: `
    select format('%s.%s', c.conrelid::regclass, c.conname) as name
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where c.contype = 'f' and n.nspname = 'public'
      and not exists (
        select 1 from pg_index i
        where i.indrelid = c.conrelid
          and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
          and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)`,
};

describe('database advisor lints', () => {
  afterAll(closeDb);

  it.each(Object.keys(lints))('%s finds nothing', async (lint) => {
    const found = await sql<{ name: string }>(lints[lint]!);
    expect(found.map((f) => f.name)).toEqual([]);
  });

  it('the lints would catch a violation (a table without RLS is reported)', async () => {
    await sql('create table public.lint_probe (id int primary key)');
    try {
      const found = await sql<{ name: string }>(lints.rls_disabled_in_public!);
      expect(found.map((f) => f.name)).toEqual(['lint_probe']);
    } finally {
      await sql('drop table public.lint_probe');
    }
  });

  it('every table and column in public has a comment for Studio', async () => {
    const missing = await sql<{ name: string }>(`
      select c.relname || coalesce('.' || a.attname, '') as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname = 'public' and c.relkind in ('r', 'v')
        and col_description(c.oid, coalesce(a.attnum, 0)) is null
        and (a.attnum is not null or obj_description(c.oid, 'pg_class') is null)`);
    expect(missing.map((m) => m.name)).toEqual([]);
  });

  it('every text column has a length or format check', async () => {
    const unchecked = await sql<{ name: string }>(`
      select c.relname || '.' || a.attname as name
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
        and a.atttypid = 'text'::regtype
        and not exists (
          select 1 from pg_constraint k
          where k.conrelid = c.oid and k.contype = 'c' and a.attnum = any (k.conkey))`);
    expect(unchecked.map((u) => u.name)).toEqual([]);
  });

  it('dashboard tables are published for realtime, with full replica identity where updates and deletes matter', async () => {
    const published = await sql<{ tablename: string }>(
      `select tablename from pg_publication_tables where pubname = 'supabase_realtime' and schemaname = 'public' order by 1`,
    );
    expect(published.map((p) => p.tablename)).toEqual(
      expect.arrayContaining(['goals', 'referral_events', 'referral_notes', 'referrals', 'seekers']),
    );
    const identity = await sql<{ relname: string; relreplident: string }>(
      `select relname, relreplident from pg_class where oid in
        ('public.referrals'::regclass, 'public.referral_notes'::regclass, 'public.goals'::regclass, 'public.seekers'::regclass)
       order by 1`,
    );
    expect(identity.every((r) => r.relreplident === 'f')).toBe(true);
  });
});
