// The one catalogue of referral statuses: the eleven statuses (the database's
// `referral_status` enum), the three groups people think in, and their words
// in English and Spanish. The emails (here), the staff screens and the seeker
// portal (the app imports this file) all read it, so they cannot disagree.
// Plain data only: no imports, no Deno APIs.

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The groups, in the order they are shown, each with its statuses in order. */
export const STATUS_GROUPS = [
  {
    id: 'in_progress',
    statuses: ['not_updated', 'needs_client_action', 'pending', 'referred_elsewhere', 'eligible'],
  },
  { id: 'got_help', statuses: ['got_help'] },
  {
    id: 'needs_further_action',
    statuses: ['couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested'],
  },
] as const;

export type StatusGroupId = (typeof STATUS_GROUPS)[number]['id'];
export type ReferralStatus = (typeof STATUS_GROUPS)[number]['statuses'][number];

export const ALL_STATUSES: readonly ReferralStatus[] = STATUS_GROUPS.flatMap((g) => g.statuses);

/** The statuses a seeker chooses from themselves (in the portal and in their emails). */
export const SEEKER_STATUSES = ['got_help', 'couldnt_get_help', 'no_longer_interested'] as const;
export type SeekerStatus = (typeof SEEKER_STATUSES)[number];

export const STATUS_LABELS: Record<Language, Record<ReferralStatus, string>> = {
  en: {
    not_updated: 'Not updated',
    needs_client_action: 'Needs client action',
    pending: 'Pending',
    referred_elsewhere: 'Referred elsewhere',
    eligible: 'Eligible',
    got_help: 'Got help',
    couldnt_contact: "Couldn't contact",
    not_eligible: 'Not eligible',
    no_capacity: 'No capacity',
    couldnt_get_help: "Couldn't get help",
    no_longer_interested: 'No longer interested',
  },
  es: {
    not_updated: 'Sin actualizar',
    needs_client_action: 'Necesita acción de la persona',
    pending: 'Pendiente',
    referred_elsewhere: 'Referido a otro lugar',
    eligible: 'Elegible',
    got_help: 'Recibió ayuda',
    couldnt_contact: 'No se pudo contactar',
    not_eligible: 'No es elegible',
    no_capacity: 'Sin cupo',
    couldnt_get_help: 'No pudo recibir ayuda',
    no_longer_interested: 'Ya no le interesa',
  },
};

/**
 * The statuses that carry a reason (public.status_reasons): staff must give
 * one, a seeker may. The database's private.status_needs_reason says the same.
 */
export const STATUSES_WITH_REASON = [
  'not_eligible',
  'no_capacity',
  'couldnt_contact',
  'couldnt_get_help',
  'no_longer_interested',
  'referred_elsewhere',
] as const satisfies readonly ReferralStatus[];

export function needsReason(status: string): boolean {
  return (STATUSES_WITH_REASON as readonly string[]).includes(status);
}
