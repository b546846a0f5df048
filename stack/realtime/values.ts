/**
 * pgoutput sends column values in Postgres text format. Supabase Realtime
 * delivers them as typed JSON (`to_jsonb(value::type)`): numbers, booleans,
 * json objects, arrays, ISO timestamps. This converts one to the other.
 */

const NUMBERS = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

function isoTimestamp(text: string, withZone: boolean): string {
  // "2025-11-03 09:32:55.123456+00" → "2025-11-03T09:32:55.123456+00:00"
  let s = text.replace(' ', 'T');
  if (withZone) {
    const m = /([+-]\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(s);
    if (m && m.index > 10) {
      s = s.slice(0, m.index) + `${m[1]}:${m[2] ?? '00'}${m[3] ? `:${m[3]}` : ''}`;
    }
  }
  return s;
}

export function scalarFromText(text: string, type: string): unknown {
  if (NUMBERS.has(type)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  switch (type) {
    case 'bool':
      return text === 't' || text === 'true';
    case 'json':
    case 'jsonb':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    case 'timestamptz':
      return isoTimestamp(text, true);
    case 'timestamp':
      return isoTimestamp(text, false);
    case 'bytea':
      return text.startsWith('\\x') ? text.slice(2) : text;
    default:
      return text;
  }
}

/** Parses a Postgres array literal (`{a,"b c",NULL}`, nested allowed). */
export function parseArray(text: string, elemType: string): unknown {
  let i = 0;
  // Optional dimension decoration: "[1:2]={...}"
  if (text[0] === '[') {
    const eq = text.indexOf('=');
    if (eq > 0) i = eq + 1;
  }
  const parse = (): unknown[] => {
    if (text[i] !== '{') throw new Error('bad array');
    i++;
    const out: unknown[] = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      if (text[i] === '{') out.push(parse());
      else if (text[i] === '"') {
        i++;
        let s = '';
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          s += text[i++];
        }
        i++;
        out.push(scalarFromText(s, elemType));
      } else {
        let s = '';
        while (i < text.length && text[i] !== ',' && text[i] !== '}') s += text[i++];
        out.push(s === 'NULL' ? null : scalarFromText(s.trim(), elemType));
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return out;
      }
      throw new Error('bad array');
    }
  };
  try {
    return parse();
  } catch {
    return text;
  }
}

export interface ColumnType {
  /** pg_type.typname (arrays keep their leading underscore, e.g. `_text`). */
  name: string;
  /** For arrays, the element's typname. */
  elem: string | null;
}

export function valueFromText(text: string | null | undefined, type: ColumnType): unknown {
  if (text === null) return null;
  if (text === undefined) return undefined;
  if (type.elem) return parseArray(text, type.elem);
  return scalarFromText(text, type.name);
}
