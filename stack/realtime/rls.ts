/**
 * Who may see a change: Supabase Realtime's rule, evaluated in ONE statement
 * for all subscribers of a table.
 *
 * Design: subscribers are grouped by their JWT claims (see
 * unusedClaimKeys for which claims are left out of the grouping key). For the
 * changed rows of a table in a transaction (one row for a single-row commit)
 * we call one plpgsql function, created per pooled connection in `pg_temp`
 * (so nothing is added to the project's schemas and `db:reset` has nothing of
 * ours to drop), with the rows' primary keys and the list of claims groups.
 * For each group it does what hosted Realtime's `apply_rls` does per
 * subscription:
 *   set_config('request.jwt.claims', claims, true); set_config('role', role, true);
 *   select <positions of the rows that exist> from <table> where <pk> = <value>  -- under RLS
 * and resets the role, then returns the visible row positions per group plus,
 * per role, the columns that role may SELECT (columns it may not read are
 * left out of the payload). The statement runs in its own implicit
 * transaction, so every setting is local to it. One round trip per change
 * (per table per transaction) whatever the number of subscribers; the cost
 * inside grows with the number of distinct claims.
 */
import pg from 'pg';
import type { ColumnType } from './values.ts';

const FUNCTION_SQL = `
create or replace function pg_temp.realtime_visible(
  rel oid, q text, pks jsonb, pk_cols text[], check_rls boolean, claims_list jsonb[]
) returns jsonb
language plpgsql volatile
as $fn$
declare
  c jsonb;
  r text;
  ords int[];
  all_ords int[] := array(select generate_series(1, jsonb_array_length(pks)));
  vis jsonb := '[]';
  cols jsonb := '{}';
  allowed text[];
  rls_on boolean := (select relrowsecurity from pg_class where oid = rel);
begin
  foreach c in array claims_list loop
    r := coalesce(nullif(c->>'role', ''), 'anon');
    if not cols ? r then
      begin
        select coalesce(array_agg(attname::text order by attnum), '{}') into allowed
          from pg_attribute
         where attrelid = rel and attnum > 0 and not attisdropped
           and has_column_privilege(r, rel, attnum, 'SELECT');
      exception when others then
        allowed := '{}';
      end;
      cols := cols || jsonb_build_object(r, to_jsonb(allowed));
    end if;
    if not ((cols->r) @> to_jsonb(pk_cols)) then
      ords := '{}';
    elsif not (check_rls and rls_on) then
      ords := all_ords;
    else
      perform set_config('request.jwt.claims', c::text, true);
      perform set_config('role', r, true);
      begin
        execute q into ords using pks;
      exception when others then
        ords := '{}';
      end;
      perform set_config('role', 'none', true);
    end if;
    vis := vis || jsonb_build_array(to_jsonb(coalesce(ords, '{}')));
  end loop;
  perform set_config('request.jwt.claims', '', true);
  return jsonb_build_object('visible', vis, 'columns', cols, 'rls', rls_on);
end
$fn$;
`;

/**
 * Realtime Authorization for one topic, as hosted Realtime checks it
 * (lib/realtime/tenants/authorization.ex), in one round trip:
 *   read:  insert one probe row per extension into realtime.messages (as the
 *          service), then, as the user (role, realtime.topic,
 *          request.jwt.claims, request.jwt.claim.sub/role, request.headers),
 *          select them back: an extension is readable when its probe row is
 *          visible under RLS;
 *   write: as the user, insert one row per extension: writable unless
 *          refused with insufficient_privilege (what an RLS WITH CHECK raises).
 * Everything happens in a subtransaction that is always rolled back (the
 * raised RT001 undoes the rows and the settings), so nothing is kept.
 * Returns {"broadcast": bool, "presence": bool} for the extensions asked, or
 * raises when a policy itself fails (then the caller refuses).
 */
const POLICIES_SQL = `
create or replace function pg_temp.realtime_policies(p_topic text, p_claims jsonb, p_exts text[], p_write boolean)
returns jsonb
language plpgsql volatile
as $fn$
declare
  res jsonb := '{}';
  ids uuid[];
  seen uuid[];
  r text := coalesce(nullif(p_claims->>'role', ''), 'anon');
  i int;
begin
  begin
    if not p_write then
      ids := array(select gen_random_uuid() from unnest(p_exts));
      insert into realtime.messages (id, topic, extension)
        select x.i, p_topic, x.e from unnest(ids, p_exts) as x(i, e);
    end if;
    perform set_config('role', r, true), set_config('realtime.topic', p_topic, true),
            set_config('request.jwt.claims', p_claims::text, true),
            set_config('request.jwt.claim.sub', coalesce(p_claims->>'sub', ''), true),
            set_config('request.jwt.claim.role', r, true),
            set_config('request.headers', '{}', true);
    if not p_write then
      execute 'select array_agg(id) from realtime.messages where id = any($1)' into seen using ids;
      for i in 1 .. coalesce(array_length(p_exts, 1), 0) loop
        res := res || jsonb_build_object(p_exts[i], coalesce(ids[i] = any(seen), false));
      end loop;
    else
      for i in 1 .. coalesce(array_length(p_exts, 1), 0) loop
        begin
          execute 'insert into realtime.messages (topic, extension) values ($1, $2)' using p_topic, p_exts[i];
          res := res || jsonb_build_object(p_exts[i], true);
        exception when insufficient_privilege then
          res := res || jsonb_build_object(p_exts[i], false);
        end;
      end loop;
    end if;
    raise sqlstate 'RT001';
  exception when sqlstate 'RT001' then
    null;
  end;
  return res;
end
$fn$;
`;

export type Extension = 'broadcast' | 'presence';
export type Permissions = Partial<Record<Extension, boolean>>;

export interface RelationMeta {
  oid: number;
  schema: string;
  table: string;
  rls: boolean;
  pkCols: string[];
  /** Columns in attnum order with their types. */
  columns: { name: string; type: ColumnType }[];
  types: Map<string, ColumnType>;
  /** Column → typname, for filter comparisons. */
  typeNames: Map<string, string>;
  /**
   * Run under each claims group's role: which of the rows whose primary keys
   * are given (a JSON array of arrays of text values) exist and are visible.
   */
  visibleQuery: string;
}

export interface Visibility {
  /** Per claims group, the 1-based positions of the rows that group may see. */
  visible: number[][];
  /** Row level security enabled on the table at that moment. */
  rls: boolean;
  columns: Record<string, string[]>;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export class Authorizer {
  readonly pool: pg.Pool;
  private meta = new Map<number, Promise<RelationMeta>>();
  /** Pooled connections that already have the pg_temp function. */
  private prepared = new WeakSet<pg.PoolClient>();

  constructor(dbUrl: string, log: (l: string) => void) {
    this.pool = new pg.Pool({ connectionString: dbUrl, max: 4, idleTimeoutMillis: 30_000 });
    void log;
    // Idle clients lose their connection when Postgres restarts; the pool
    // replaces them on the next query.
    this.pool.on('error', () => undefined);
  }

  private ignorable: { version: number; keys: ReadonlySet<string>; checkedAt: number; checking: boolean } = {
    version: 0,
    keys: new Set(),
    checkedAt: 0,
    checking: false,
  };

  /**
   * JWT claims that identify only a token or a session and that no RLS
   * policy or user-defined function mentions: they cannot change what a
   * subscriber may see, so subscribers differing only in them share one RLS
   * evaluation. Re-checked every few seconds (in the background); until the
   * first check, nothing is ignored.
   */
  unusedClaimKeys(): { version: number; keys: ReadonlySet<string> } {
    const st = this.ignorable;
    if (!st.checking && Date.now() - st.checkedAt > 5000) {
      st.checking = true;
      this.pool
        .query<{ key: string; used: boolean }>(
          `select k as key,
                  exists (select 1 from pg_policy p
                           where pg_get_expr(p.polqual, p.polrelid) ~ ('\\m' || k || '\\M')
                              or pg_get_expr(p.polwithcheck, p.polrelid) ~ ('\\m' || k || '\\M'))
                  or exists (select 1 from pg_proc f join pg_namespace n on n.oid = f.pronamespace
                              where n.nspname not in ('pg_catalog', 'information_schema')
                                and f.prosrc ~ ('\\m' || k || '\\M')) as used
             from unnest(array['exp', 'iat', 'session_id', 'jti']) as k`,
        )
        .then(({ rows }) => {
          const keys = new Set(rows.filter((r) => !r.used).map((r) => r.key));
          const same = keys.size === st.keys.size && [...keys].every((k) => st.keys.has(k));
          if (!same) {
            st.keys = keys;
            st.version++;
          }
          st.checkedAt = Date.now();
        })
        .catch(() => undefined)
        .finally(() => {
          st.checking = false;
        });
    }
    return { version: st.version, keys: st.keys };
  }

  /**
   * Opens and prepares a couple of connections and loads the metadata of
   * every published table, so the first change after start-up is not slower.
   */
  async warm(publication: string): Promise<void> {
    const clients = await Promise.all([this.pool.connect(), this.pool.connect()]);
    try {
      for (const c of clients) {
        await c.query(FUNCTION_SQL + POLICIES_SQL);
        this.prepared.add(c);
      }
      const { rows } = await clients[0]!.query<{ oid: number }>(
        `select format('%I.%I', schemaname, tablename)::regclass::oid as oid from pg_publication_tables where pubname = $1`,
        [publication],
      );
      for (const r of rows) await this.relation(r.oid);
    } finally {
      for (const c of clients) c.release();
    }
  }

  forget(oid: number): void {
    this.meta.delete(oid);
  }

  relation(oid: number): Promise<RelationMeta> {
    let p = this.meta.get(oid);
    if (!p) {
      p = this.loadRelation(oid);
      this.meta.set(oid, p);
      p.catch(() => this.meta.delete(oid));
    }
    return p;
  }

  private async loadRelation(oid: number): Promise<RelationMeta> {
    const { rows } = await this.pool.query<{
      schema: string;
      table: string;
      rls: boolean;
      name: string;
      typname: string;
      elem: string | null;
      fmt: string;
      is_pk: boolean;
    }>(
      `select n.nspname as schema, c.relname as table, c.relrowsecurity as rls,
              a.attname as name, t.typname, et.typname as elem,
              format_type(a.atttypid, a.atttypmod) as fmt,
              coalesce(a.attnum = any(i.indkey), false) as is_pk
         from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         join pg_type t on t.oid = a.atttypid
         left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
         left join pg_index i on i.indrelid = c.oid and i.indisprimary
        where c.oid = $1
        order by a.attnum`,
      [oid],
    );
    if (!rows.length) throw new Error(`relation ${oid} not found`);
    const columns = rows.map((r) => ({ name: r.name, type: { name: r.typname, elem: r.elem } as ColumnType }));
    const pk = rows.filter((r) => r.is_pk);
    const where = pk.map((r, i) => `t.${ident(r.name)} = (k.v->>${i})::${r.fmt}`).join(' and ');
    return {
      oid,
      schema: rows[0]!.schema,
      table: rows[0]!.table,
      rls: rows[0]!.rls,
      pkCols: pk.map((r) => r.name),
      columns,
      types: new Map(columns.map((c) => [c.name, c.type])),
      typeNames: new Map(columns.map((c) => [c.name, c.type.name])),
      visibleQuery:
        `select coalesce(array_agg(k.ord::int order by k.ord), '{}') from jsonb_array_elements($1) with ordinality as k(v, ord) ` +
        `where exists(select 1 from only ${ident(rows[0]!.schema)}.${ident(rows[0]!.table)} t where ${where || 'false'})`,
    };
  }

  /**
   * One statement for a batch of changed rows of one table (one change, or
   * all of a transaction's changes to that table): for each claims group, the
   * 1-based positions of the rows it may see now (RLS checked only when
   * `checkRls`), and which columns each role may read.
   */
  async visible(
    meta: RelationMeta,
    pkRows: (string | null)[][],
    checkRls: boolean,
    claimsList: string[],
  ): Promise<Visibility> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await this.prepare(client);
      const res = await client.query<{ v: Visibility }>(
        'select pg_temp.realtime_visible($1, $2, $3, $4, $5, $6::jsonb[]) as v',
        [meta.oid, meta.visibleQuery, JSON.stringify(pkRows), meta.pkCols, checkRls, claimsList],
      );
      return res.rows[0]!.v;
    } catch (err) {
      broken = true;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private async prepare(client: pg.PoolClient): Promise<void> {
    if (this.prepared.has(client)) return;
    await client.query(FUNCTION_SQL + POLICIES_SQL);
    this.prepared.add(client);
  }

  /**
   * Realtime Authorization: what `claims` may read (`write` false) or send
   * (`write` true) on `topic` for each extension, under the RLS policies of
   * realtime.messages. Throws when the check itself fails (a policy that
   * errors, no partition for today): callers refuse then, as hosted does.
   */
  async permissions(
    claims: Record<string, unknown>,
    topic: string,
    extensions: Extension[],
    write: boolean,
  ): Promise<Permissions> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await this.prepare(client);
      const res = await client.query<{ p: Permissions }>('select pg_temp.realtime_policies($1, $2, $3, $4) as p', [
        topic,
        JSON.stringify(claims),
        extensions,
        write,
      ]);
      return res.rows[0]!.p;
    } catch (err) {
      broken = !(err as { code?: string }).code; // a connection error, not a policy error
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
