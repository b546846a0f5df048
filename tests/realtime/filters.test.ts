/**
 * The pure parts of the Realtime service: postgres_changes filter strings,
 * Postgres text values → typed JSON, and the Phoenix frame codecs.
 */
import { describe, expect, it } from 'vitest';
import { FilterParseError, compilePattern, likeMatch, matches, parseFilter } from '../../stack/realtime/filters.ts';
import { valueFromText } from '../../stack/realtime/values.ts';
import {
  decodeBinary,
  decodeText,
  encodeText,
  encodeUserBroadcast,
  FrameError,
} from '../../stack/realtime/protocol.ts';
import { bindingId } from '../../stack/realtime/server.ts';

const types = new Map([
  ['id', 'int8'],
  ['program_id', 'uuid'],
  ['status', 'referral_status'],
  ['score', 'numeric'],
  ['done', 'bool'],
  ['at', 'timestamptz'],
  ['note', 'text'],
]);
const row = {
  id: 12,
  program_id: '30000000-0000-4000-8000-00000000000A',
  status: 'pending',
  score: 2.5,
  done: false,
  at: '2026-01-02T03:04:05+00:00',
  note: null,
};
const m = (f: string) => matches(parseFilter(f), row, types);

describe('filters', () => {
  it('eq, neq, lt, lte, gt, gte compare by column type', () => {
    expect(m('id=eq.12')).toBe(true);
    expect(m('id=eq.012')).toBe(true); // numeric, not text
    expect(m('id=neq.12')).toBe(false);
    expect(m('id=lt.100')).toBe(true); // 12 < 100 as numbers ("12" > "100" as text)
    expect(m('id=lte.12')).toBe(true);
    expect(m('id=gt.12')).toBe(false);
    expect(m('id=gte.12')).toBe(true);
    expect(m('score=gt.2.4')).toBe(true);
    expect(m('program_id=eq.30000000-0000-4000-8000-00000000000a')).toBe(true); // uuid case
    expect(m('done=eq.false')).toBe(true);
    expect(m('at=gt.2026-01-01')).toBe(true);
  });

  it('in, is, like, not., and comma-separated conditions', () => {
    expect(m('status=in.(eligible,pending)')).toBe(true);
    expect(m('status=in.(eligible,"got_help")')).toBe(false);
    expect(m('note=is.null')).toBe(true);
    expect(m('note=eq.x')).toBe(false); // NULL compares unknown
    expect(m('status=not.eq.pending')).toBe(false);
    expect(m('status=like.pend*')).toBe(true);
    expect(m('status=ilike.PEND%')).toBe(true);
    expect(m('id=eq.12,status=eq.pending')).toBe(true);
    expect(m('id=eq.12,status=eq.eligible')).toBe(false);
    expect(m('missing=eq.1')).toBe(false); // a column absent from the record fails
    expect(parseFilter('')).toEqual([]);
  });

  it('rejects what Supabase rejects', () => {
    for (const bad of ['undefined', 'id=foo.1', 'id=in.1,2', 'id', 'id=is.maybe']) {
      expect(() => parseFilter(bad), bad).toThrow(FilterParseError);
    }
    expect(() => parseFilter(`id=in.(${Array.from({ length: 101 }, (_, i) => i).join(',')})`)).toThrow(
      FilterParseError,
    );
  });
});

describe('patterns run in bounded time', () => {
  it('LIKE: % or * any run, _ one character, \\ escapes, ilike folds case', () => {
    expect(likeMatch('pend%', 'pending')).toBe(true);
    expect(likeMatch('p_nding', 'pending')).toBe(true);
    expect(likeMatch('*din*', 'pending')).toBe(true);
    expect(likeMatch('%x%', 'pending')).toBe(false);
    expect(likeMatch('50\\%', '50%')).toBe(true);
    expect(likeMatch('50\\%', '500')).toBe(false);
    expect(likeMatch('PEND%', 'pending')).toBe(false);
    expect(likeMatch('PEND%', 'pending', true)).toBe(true);
    expect(likeMatch('', '')).toBe(true);
    expect(likeMatch('%', '')).toBe(true);
    expect(likeMatch('_', '')).toBe(false);
  });

  it('a pattern that makes a backtracking matcher explode answers at once', () => {
    const long = 'a'.repeat(20_000);
    const started = performance.now();
    expect(likeMatch('*a*a*a*a*a*a*b', long)).toBe(false);
    expect(likeMatch('%A%A%A%A%', long, true)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('imatch refuses escapes that lower-casing would change', () => {
    expect(() => compilePattern('\\D+', true)).toThrow(FilterParseError);
    expect(() => compilePattern('\\p{Lu}', true)).toThrow(FilterParseError);
    expect(compilePattern('^\\d+ ITEMS$', true).test('3 items')).toBe(true);
    expect(() => compilePattern('(', false)).toThrow(FilterParseError);
  });
});

describe('values as typed JSON', () => {
  it('converts text-format values by type', () => {
    expect(valueFromText('42', { name: 'int4', elem: null })).toBe(42);
    expect(valueFromText('t', { name: 'bool', elem: null })).toBe(true);
    expect(valueFromText('{"a":[1]}', { name: 'jsonb', elem: null })).toEqual({ a: [1] });
    expect(valueFromText('2025-11-03 09:32:55.123+00', { name: 'timestamptz', elem: null })).toBe(
      '2025-11-03T09:32:55.123+00:00',
    );
    expect(valueFromText('2025-11-03 09:32:55', { name: 'timestamp', elem: null })).toBe('2025-11-03T09:32:55');
    expect(valueFromText('{a,"b c",NULL}', { name: '_text', elem: 'text' })).toEqual(['a', 'b c', null]);
    expect(valueFromText('{1,2}', { name: '_int4', elem: 'int4' })).toEqual([1, 2]);
    expect(valueFromText('\\x0102', { name: 'bytea', elem: null })).toBe('0102');
    expect(valueFromText(null, { name: 'text', elem: null })).toBeNull();
  });
});

describe('frames', () => {
  it('decodes vsn 2.0.0 arrays and 1.0.0 objects, and rejects malformed ones', () => {
    expect(decodeText('["1","2","realtime:a","phx_join",{}]', '2.0.0')).toMatchObject({
      joinRef: '1',
      ref: '2',
      topic: 'realtime:a',
      event: 'phx_join',
    });
    expect(decodeText('{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"3"}', '1.0.0')).toMatchObject({
      joinRef: null,
      ref: '3',
    });
    expect(() => decodeText('{"topic":"phoenix"}', '2.0.0')).toThrow(FrameError);
    expect(() => decodeText('[1,2,3]', '2.0.0')).toThrow(FrameError);
  });

  it('round-trips binary user broadcasts (kind 3 in, kind 4 out)', () => {
    const parts = ['6', '7', 'realtime:room1', 'cursor'].map((s) => Buffer.from(s));
    const push = Buffer.concat([Buffer.from([3, 1, 1, 14, 6, 0, 1]), ...parts, Buffer.from('{"x":1}')]);
    const f = decodeBinary(push);
    expect(f).toMatchObject({
      joinRef: '6',
      ref: '7',
      topic: 'realtime:room1',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'cursor', payload: { x: 1 } },
    });
    const out = encodeUserBroadcast('realtime:room1', 'cursor', 'json', f.binary!.body, null);
    expect([...out.subarray(0, 5)]).toEqual([4, 14, 6, 0, 1]);
    expect(out.subarray(5).toString()).toBe('realtime:room1cursor{"x":1}');
  });

  it('encodes both serializers', () => {
    expect(encodeText('2.0.0', null, '1', 'phoenix', 'phx_reply', { status: 'ok' })).toBe(
      '[null,"1","phoenix","phx_reply",{"status":"ok"}]',
    );
    expect(JSON.parse(encodeText('1.0.0', '5', '1', 't', 'e', {}))).toEqual({
      topic: 't',
      event: 'e',
      payload: {},
      ref: '1',
      join_ref: '5',
    });
  });

  it('binding ids are stable, positive and differ by parameters', () => {
    const a = bindingId({ event: '*', schema: 'public', table: 'referrals' });
    expect(a).toBe(bindingId({ event: '*', schema: 'public', table: 'referrals' }));
    expect(a).toBeGreaterThan(0);
    expect(a).not.toBe(bindingId({ event: 'INSERT', schema: 'public', table: 'referrals' }));
  });
});
