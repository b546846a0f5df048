/**
 * The reasons a status may carry (`public.status_reasons`), read by the staff
 * screens and the seeker's portal alike: the list, the reasons offered for a
 * status and a reason's words in a language.
 */
import { supabase, type Tables } from '@/lib/supabase';

/** How long the Undo stays after a change (shorter than the outbox's grace period, 30 s by default). */
export const UNDO_MS = 10_000;

export type StatusReason = Pick<
  Tables<'status_reasons'>,
  'status' | 'code' | 'label_en' | 'label_es' | 'sort' | 'active'
>;

/** Every reason, retired ones too (a referral keeps a retired reason and still shows its words). */
export async function getStatusReasons(): Promise<StatusReason[]> {
  const { data, error } = await supabase
    .from('status_reasons')
    .select('status, code, label_en, label_es, sort, active')
    .order('status')
    .order('sort')
    .order('code');
  if (error) throw error;
  return data;
}

/** The reasons offered for a status, in order (active only). */
export function reasonsFor(all: StatusReason[] | undefined, status: string): StatusReason[] {
  return (all ?? []).filter((r) => r.status === status && r.active);
}

/** "Income above the limit" (or the code, until the list has loaded). */
export function reasonLabel(
  all: StatusReason[] | undefined,
  status: string | null | undefined,
  code: string | null | undefined,
  language: 'en' | 'es' = 'en',
): string | null {
  if (!code) return null;
  const r = (all ?? []).find((x) => x.status === status && x.code === code);
  if (!r) return code.replace(/_/g, ' ');
  return language === 'es' ? r.label_es : r.label_en;
}
