/**
 * postgres_changes `filter` strings (PostgREST-like, as Supabase Realtime
 * accepts them): `col=op.value`, comma-separated conditions ANDed, optional
 * `not.` prefix, operators eq neq lt lte gt gte in like ilike is match imatch
 * isdistinct. Values compare by the column's SQL type.
 */

export type FilterOp =
  'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'like' | 'ilike' | 'is' | 'match' | 'imatch' | 'isdistinct';

const OPS = new Set<FilterOp>([
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'like',
  'ilike',
  'is',
  'match',
  'imatch',
  'isdistinct',
]);

export interface Condition {
  column: string;
  op: FilterOp;
  negate: boolean;
  /** One value, or the list for `in`. */
  value: string | null;
  values?: (string | null)[];
}

export class FilterParseError extends Error {}

/** Split on `sep` outside double quotes and parentheses. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      cur += ch;
      if (ch === '\\' && i + 1 < s.length) cur += s[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    return t.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return v;
}

export function parseFilter(filter: string | null | undefined): Condition[] {
  if (filter === null || filter === undefined || filter.trim() === '') return [];
  const conds: Condition[] = [];
  for (const part of splitTop(filter, ',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FilterParseError(`Error parsing \`filter\` params: ${JSON.stringify([part])}`);
    const column = part.slice(0, eq).trim();
    let rest = part.slice(eq + 1);
    let negate = false;
    if (rest.startsWith('not.')) {
      negate = true;
      rest = rest.slice(4);
    }
    const dot = rest.indexOf('.');
    const op = (dot < 0 ? rest : rest.slice(0, dot)) as FilterOp;
    const raw = dot < 0 ? '' : rest.slice(dot + 1);
    if (!column || !OPS.has(op) || dot < 0) {
      throw new FilterParseError(`Error parsing \`filter\` params: ${JSON.stringify([column, rest])}`);
    }
    if (op === 'in') {
      const m = /^\((.*)\)$/s.exec(raw.trim());
      if (!m) throw new FilterParseError(`Error parsing \`filter\` params: ${JSON.stringify([column, rest])}`);
      const values = m[1]!.trim() === '' ? [] : splitTop(m[1]!, ',').map((v) => unquote(v.trim()));
      if (values.length > 100)
        throw new FilterParseError('Error parsing `filter` params: too many values for `in` filter');
      conds.push({ column, op, negate, value: null, values });
      continue;
    }
    if (op === 'is') {
      const v = raw.trim().toLowerCase();
      if (!['null', 'true', 'false', 'unknown'].includes(v)) {
        throw new FilterParseError(`Error parsing \`filter\` params: ${JSON.stringify([column, rest])}`);
      }
      conds.push({ column, op, negate, value: v });
      continue;
    }
    conds.push({ column, op, negate, value: unquote(raw) });
  }
  return conds;
}

const NUMERIC = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid', 'money']);
const TIMES = new Set(['timestamptz', 'timestamp', 'date']);

type Cmp = number | null; // <0, 0, >0; null = unknown (SQL NULL or incomparable)

function normalise(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function compare(value: unknown, filterValue: string, type: string): Cmp {
  if (value === null || value === undefined) return null;
  if (NUMERIC.has(type)) {
    const a = Number(value);
    const b = Number(filterValue);
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    return a === b ? 0 : a < b ? -1 : 1;
  }
  if (type === 'bool') {
    const b = /^(t|true|y|yes|on|1)$/i.test(filterValue)
      ? true
      : /^(f|false|n|no|off|0)$/i.test(filterValue)
        ? false
        : null;
    if (b === null) return null;
    const a = value === true || value === 't' || value === 'true';
    return a === b ? 0 : a ? 1 : -1;
  }
  if (TIMES.has(type)) {
    const a = Date.parse(String(value));
    const b = Date.parse(filterValue);
    if (!Number.isNaN(a) && !Number.isNaN(b)) return a === b ? 0 : a < b ? -1 : 1;
  }
  let a = normalise(value);
  let b = filterValue;
  if (type === 'uuid') {
    a = a.toLowerCase();
    b = b.toLowerCase();
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%' || ch === '*') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, flags + 's');
}

/** SQL three-valued result: true, false or null (unknown). */
function evalCondition(c: Condition, value: unknown, type: string): boolean | null {
  switch (c.op) {
    case 'eq':
    case 'neq':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const r = compare(value, c.value!, type);
      if (r === null) return null;
      return c.op === 'eq'
        ? r === 0
        : c.op === 'neq'
          ? r !== 0
          : c.op === 'lt'
            ? r < 0
            : c.op === 'lte'
              ? r <= 0
              : c.op === 'gt'
                ? r > 0
                : r >= 0;
    }
    case 'in': {
      if (value === null || value === undefined) return null;
      let unknown = false;
      for (const v of c.values ?? []) {
        if (v === null || v.toLowerCase() === 'null') {
          unknown = true;
          continue;
        }
        const r = compare(value, v, type);
        if (r === 0) return true;
        if (r === null) unknown = true;
      }
      return unknown ? null : false;
    }
    case 'like':
    case 'ilike':
      if (value === null || value === undefined) return null;
      return likeToRegExp(c.value!, c.op === 'ilike' ? 'i' : '').test(normalise(value));
    case 'match':
    case 'imatch':
      if (value === null || value === undefined) return null;
      try {
        return new RegExp(c.value!, c.op === 'imatch' ? 'i' : '').test(normalise(value));
      } catch {
        return null;
      }
    case 'is':
      if (c.value === 'null') return value === null;
      if (c.value === 'unknown') return value === null;
      if (value === null) return false;
      return (value === true || value === 't') === (c.value === 'true');
    case 'isdistinct': {
      const isNullFilter = c.value!.toLowerCase() === 'null';
      if (value === null || value === undefined) return !isNullFilter;
      if (isNullFilter) return true;
      return compare(value, c.value!, type) !== 0;
    }
  }
}

/**
 * True when every condition holds for `record` (typed JSON values keyed by
 * column name). A condition on a column missing from the record fails.
 */
export function matches(conds: Condition[], record: Record<string, unknown>, types: Map<string, string>): boolean {
  for (const c of conds) {
    if (!(c.column in record)) return false;
    const r = evalCondition(c, record[c.column], types.get(c.column) ?? 'text');
    const v = r === null ? null : c.negate ? !r : r;
    if (v !== true) return false;
  }
  return true;
}
