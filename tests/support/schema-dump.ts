/**
 * A schema dump read from the catalogs (the machines have no pg_dump for
 * Postgres 17): one line per fact about every object in the project's
 * schemas (tables, columns, constraints, indexes, views, functions,
 * triggers, policies, grants, comments, types, publication membership,
 * default privileges). Two databases built the same way give the same
 * lines; any difference names the object that drifted.
 */
import type pg from 'pg';

/** Schemas the project owns (the platform's own schemas are the stack's). */
export const PROJECT_SCHEMAS = ['public', 'private'];

const QUERIES: string[] = [
  // schemas, their owners' grants and comments
  `select 'schema ' || nspname || ' acl=' || coalesce(array_to_string(array(select unnest(nspacl)::text order by 1), ','), '')
          || ' comment=' || coalesce(obj_description(oid, 'pg_namespace'), '')
     from pg_namespace where nspname = any($1)`,
  // extensions the project installs
  `select 'extension ' || e.extname || ' in ' || n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace`,
  // enums and other types
  `select 'type ' || n.nspname || '.' || t.typname || ' ' || t.typtype::text
          || coalesce(' labels=' || (select string_agg(enumlabel, ',' order by enumsortorder) from pg_enum where enumtypid = t.oid), '')
          || ' comment=' || coalesce(obj_description(t.oid, 'pg_type'), '')
     from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = any($1) and t.typtype in ('e', 'd', 'c')
      and not exists (select 1 from pg_class c where c.reltype = t.oid)`,
  // relations
  `select 'relation ' || n.nspname || '.' || c.relname || ' kind=' || c.relkind::text || ' rls=' || c.relrowsecurity
          || ' force=' || c.relforcerowsecurity || ' replident=' || c.relreplident::text
          || ' options=' || coalesce(array_to_string(c.reloptions, ','), '')
          || ' acl=' || coalesce(array_to_string(array(select unnest(c.relacl)::text order by 1), ','), '')
          || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '')
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1) and c.relkind in ('r', 'v', 'm', 'p', 'S', 'f')`,
  // columns
  `select 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
          || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
          || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text
          || ' acl=' || coalesce(array_to_string(array(select unnest(a.attacl)::text order by 1), ','), '')
          || ' comment=' || coalesce(col_description(c.oid, a.attnum), '')
     from pg_attribute a
     join pg_class c on c.oid = a.attrelid
     join pg_namespace n on n.oid = c.relnamespace
     left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = any($1) and c.relkind in ('r', 'v', 'm', 'p', 'f') and a.attnum > 0 and not a.attisdropped`,
  // constraints
  `select 'constraint ' || n.nspname || '.' || c.relname || ' ' || co.conname || ': ' || pg_get_constraintdef(co.oid)
     from pg_constraint co join pg_class c on c.oid = co.conrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1)`,
  // indexes
  `select 'index ' || pg_get_indexdef(i.indexrelid)
     from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1)`,
  // views
  `select 'view ' || n.nspname || '.' || c.relname || ': ' || pg_get_viewdef(c.oid)
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1) and c.relkind in ('v', 'm')`,
  // functions: full definition, grants, comment
  `select 'function ' || pg_get_functiondef(p.oid)
          || ' acl=' || coalesce(array_to_string(array(select unnest(p.proacl)::text order by 1), ','), '')
          || ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '')
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = any($1) and p.prokind in ('f', 'p', 'w')`,
  // triggers, on project tables and on the platform's tables alike
  `select 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
     from pg_trigger t join pg_proc p on p.oid = t.tgfoid join pg_namespace n on n.oid = p.pronamespace
    where not t.tgisinternal and n.nspname = any($1)`,
  // policies
  `select 'policy ' || schemaname || '.' || tablename || ' "' || policyname || '" ' || permissive || ' ' || cmd
          || ' to ' || array_to_string(roles, ',') || ' using (' || coalesce(qual, '') || ') check (' || coalesce(with_check, '') || ')'
     from pg_policies where schemaname = any($1)`,
  // what Realtime publishes
  `select 'publication ' || pubname || ' ' || schemaname || '.' || tablename
          || ' columns=' || coalesce(array_to_string(attnames, ','), '') || ' where=' || coalesce(rowfilter, '')
     from pg_publication_tables where schemaname = any($1)`,
  // default privileges
  `select 'default acl ' || pg_get_userbyid(d.defaclrole) || ' ' || coalesce(n.nspname, '*') || ' ' || d.defaclobjtype::text
          || ' ' || array_to_string(array(select unnest(d.defaclacl)::text order by 1), ',')
     from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace`,
];

/** Every fact about the project's schemas, sorted. */
export async function schemaDump(client: pg.Client, schemas = PROJECT_SCHEMAS): Promise<string[]> {
  // names in definitions are printed relative to the search path: make them
  // all qualified, whatever the files applied before set
  await client.query(`set search_path = ''`);
  const lines: string[] = [];
  for (const q of QUERIES) {
    const { rows } = await client.query<{ line: string }>(
      `select line from (${q}) as x(line)`,
      q.includes('$1') ? [schemas] : [],
    );
    for (const r of rows) lines.push(r.line);
  }
  return lines.sort();
}
