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

/*
 * Patterns come from subscribers and run on every row they may see, inside
 * the one process that serves everybody: they must run in linear time, or
 * `like.*a*a*a*b` or `match.(a+)+$` on a long note would stall Realtime for
 * every user (hosted runs them in Postgres, whose regex engine does not
 * backtrack like JavaScript's). LIKE is matched by likeMatch below (at worst
 * pattern length × value length); match/imatch use V8's linear-time engine
 * (flag `l`, enabled by --enable-experimental-regexp-engine, with which the
 * stack starts this service), and a pattern that engine cannot run is refused
 * when subscribing.
 */
const LINEAR_FLAG = (() => {
  const flag = 'l';
  try {
    new RegExp('', flag);
    return flag;
  } catch {
    return '';
  }
})();

type LikeToken = { any: true } | { one: true } | { ch: string };

function likeTokens(pattern: string, fold: boolean): LikeToken[] {
  const chars = Array.from(fold ? pattern.toLowerCase() : pattern);
  const out: LikeToken[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\\' && i + 1 < chars.length) out.push({ ch: chars[++i]! });
    else if (ch === '%' || ch === '*') {
      if (!out.length || !('any' in out[out.length - 1]!)) out.push({ any: true });
    } else if (ch === '_') out.push({ one: true });
    else out.push({ ch });
  }
  return out;
}

/** SQL LIKE (`%` or `*` any run, `_` one character, `\` escapes), without backtracking blow-up. */
export function likeMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const t = likeTokens(pattern, caseInsensitive);
  const s = Array.from(caseInsensitive ? value.toLowerCase() : value);
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (i < s.length) {
    const tok = t[j];
    if (tok && ('one' in tok || ('ch' in tok && tok.ch === s[i]))) {
      i++;
      j++;
    } else if (tok && 'any' in tok) {
      star = j++;
      mark = i;
    } else if (star >= 0) {
      j = star + 1;
      i = ++mark;
    } else return false;
  }
  while (j < t.length && 'any' in t[j]!) j++;
  return j === t.length;
}

/**
 * A match/imatch pattern compiled to run in linear time (when the process has
 * V8's linear engine). That engine has no case-insensitive mode, so imatch
 * lower-cases pattern and value, and refuses escapes that lower-casing would
 * change (`\D`, `\S`, `\W`, `\B`, `\p{…}`, `\u…`, `\x…`, `\c…`, `\k<…>`).
 * Throws FilterParseError for what it cannot run.
 */
export function compilePattern(pattern: string, caseInsensitive: boolean): RegExp {
  let source = pattern;
  if (caseInsensitive) {
    if (/\\[A-Zpuxck]/.test(pattern)) {
      throw new FilterParseError('imatch patterns cannot use escapes that change with letter case');
    }
    source = pattern.toLowerCase();
  }
  try {
    return new RegExp(source, LINEAR_FLAG || (caseInsensitive ? 'i' : ''));
  } catch (err) {
    throw new FilterParseError((err as Error).message);
  }
}

const compiled = new WeakMap<Condition, RegExp | null>();
function patternOf(c: Condition): RegExp | null {
  let re = compiled.get(c);
  if (re === undefined) {
    try {
      re = compilePattern(c.value ?? '', c.op === 'imatch');
    } catch {
      re = null;
    }
    compiled.set(c, re);
  }
  return re;
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
      return likeMatch(c.value!, normalise(value), c.op === 'ilike');
    case 'match':
    case 'imatch': {
      if (value === null || value === undefined) return null;
      const re = patternOf(c);
      if (!re) return null;
      const text = normalise(value);
      return re.test(c.op === 'imatch' && LINEAR_FLAG ? text.toLowerCase() : text);
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
