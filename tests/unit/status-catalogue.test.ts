/**
 * One catalogue of referral statuses (supabase/functions/_shared/statuses.ts)
 * feeds the emails, the staff screens and the seeker portal. These checks fail
 * when any of them, or the database's `referral_status` enum, drifts from it:
 * the type checks at compile time (`npm run typecheck` covers tests/unit), the
 * rest when the tests run.
 */
import { describe, expect, it } from 'vitest';
import { Constants, type Enums } from '@/lib/database.types';
import { ALL_STATUSES, STATUS_GROUPS, STATUS_LABELS, groupOf, statusLabel } from '@/features/referrals/status';
import { en } from '@/i18n/locales/en';
import { es } from '@/i18n/locales/es';
import * as catalogue from '../../supabase/functions/_shared/statuses.ts';
import {
  STATUS_LABELS as EMAIL_LABELS,
  statusLabel as emailStatusLabel,
} from '../../supabase/functions/_shared/messages.ts';

type DbStatus = Enums<'referral_status'>;
/** True only when the two types have exactly the same members. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Compile-time: the catalogue's statuses are exactly the database's enum, and
// every language has a word for each (Record<DbStatus, string> is exhaustive).
const sameStatuses: Same<catalogue.ReferralStatus, DbStatus> = true;
const everyWord: Record<(typeof catalogue.LANGUAGES)[number], Record<DbStatus, string>> = catalogue.STATUS_LABELS;
const portalWords: Record<DbStatus, string>[] = [en.common.status, es.common.status];

const DB_STATUSES: readonly DbStatus[] = Constants.public.Enums.referral_status;

describe('the status catalogue', () => {
  it('has the database’s eleven statuses, in the database’s order', () => {
    expect(sameStatuses).toBe(true);
    expect(DB_STATUSES).toHaveLength(11);
    expect(catalogue.ALL_STATUSES).toEqual(DB_STATUSES);
    expect(ALL_STATUSES).toEqual(DB_STATUSES);
  });

  it('puts every status in exactly one of three groups', () => {
    expect(catalogue.STATUS_GROUPS.map((g) => g.id)).toEqual(['in_progress', 'got_help', 'needs_further_action']);
    const grouped = catalogue.STATUS_GROUPS.flatMap((g) => [...g.statuses]);
    expect([...grouped].sort()).toEqual([...DB_STATUSES].sort());
    expect(new Set(grouped).size).toBe(grouped.length);
  });

  it('gives each status a word in every language, distinct within the language', () => {
    for (const lang of catalogue.LANGUAGES) {
      const words = everyWord[lang];
      expect(Object.keys(words).sort()).toEqual([...DB_STATUSES].sort());
      for (const s of DB_STATUSES) expect(words[s].trim()).not.toBe('');
      expect(new Set(Object.values(words)).size).toBe(DB_STATUSES.length);
    }
    expect(catalogue.STATUS_LABELS.en.got_help).toBe('Got help');
    expect(catalogue.STATUS_LABELS.es.got_help).toBe('Recibió ayuda');
  });
});

describe('every place that shows a status agrees with it', () => {
  it('staff screens: the same groups, statuses and English words', () => {
    expect(STATUS_GROUPS.map((g) => ({ id: g.id, statuses: [...g.statuses] }))).toEqual(
      catalogue.STATUS_GROUPS.map((g) => ({ id: g.id, statuses: [...g.statuses] })),
    );
    expect(STATUS_LABELS).toEqual(catalogue.STATUS_LABELS.en);
    for (const s of DB_STATUSES) {
      expect(statusLabel(s)).toBe(catalogue.STATUS_LABELS.en[s]);
      expect(groupOf(s).statuses).toContain(s);
    }
    expect(statusLabel('made_up')).toBe('Unknown');
  });

  it('seeker portal: the same words in English and Spanish', () => {
    expect(portalWords[0]).toEqual(catalogue.STATUS_LABELS.en);
    expect(portalWords[1]).toEqual(catalogue.STATUS_LABELS.es);
    // the portal's "what to do next" covers every status in both languages
    expect(Object.keys(en.portal.next).sort()).toEqual([...DB_STATUSES].sort());
    expect(Object.keys(es.portal.next).sort()).toEqual([...DB_STATUSES].sort());
  });

  it('emails: the same words in English and Spanish', () => {
    expect(EMAIL_LABELS).toEqual(catalogue.STATUS_LABELS);
    for (const lang of catalogue.LANGUAGES) {
      for (const s of DB_STATUSES) expect(emailStatusLabel(lang, s)).toBe(catalogue.STATUS_LABELS[lang][s]);
    }
  });

  it('the statuses a seeker may choose (portal and emails) are three of them', () => {
    expect([...catalogue.SEEKER_STATUSES]).toEqual(['got_help', 'couldnt_get_help', 'no_longer_interested']);
    for (const s of catalogue.SEEKER_STATUSES) expect(DB_STATUSES).toContain(s);
  });
});
