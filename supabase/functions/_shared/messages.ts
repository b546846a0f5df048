// The words of notification emails and texts, in English and Spanish.
// Plain data and functions only (no Deno APIs), so Node tests can import it.

import { STATUS_LABELS, type Language, type ReferralStatus } from './statuses.ts';

// The statuses and their words come from the one catalogue the app shares.
export { STATUS_LABELS, type Language, type ReferralStatus };

export function statusLabel(lang: Language, status: string): string {
  return STATUS_LABELS[lang][status as ReferralStatus] ?? status;
}

interface Words {
  hello: (name: string) => string;
  program: string;
  seeker: string;
  status: string;
  comment: string;
  noComment: string;
  open: string;
  oneClickIntro: string;
  oneClickNote: string;
  seekerFooter: string;
  staffFooter: string;
  /** "Safe Haven Housing updated your referral to Pending" */
  seekerStatusChanged: (who: string, status: string) => string;
  /** "Wendy W. (Westside Family Center) referred you to Safe Haven Housing" */
  seekerCreated: (who: string, program: string) => string;
  staffStatusChanged: (who: string, seeker: string, program: string, status: string) => string;
  staffCreated: (who: string, seeker: string, program: string) => string;
  /** the seeker changed it themselves: "Rita R. updated their referral to Safe Haven Housing: Got help" */
  staffSeekerChanged: (who: string, program: string, status: string) => string;
  staffStatusSubject: (seeker: string, program: string, status: string) => string;
  staffCreatedSubject: (seeker: string, program: string) => string;
  smsSeeMore: (url: string) => string;
}

export const WORDS: Record<Language, Words> = {
  en: {
    hello: (name) => (name ? `Hi ${name},` : 'Hello,'),
    program: 'Program',
    seeker: 'For',
    status: 'Status',
    comment: 'Comment with the referral',
    noComment: '(no comment)',
    open: 'Open the referral',
    oneClickIntro: 'Update the status in one click:',
    oneClickNote:
      'Each button opens a page where you confirm the change. The buttons work once and expire in 14 days.',
    seekerFooter:
      'You are receiving this email because you asked to be contacted by email about your referrals. ' +
      'You can change that, and your language, on your referrals page.',
    staffFooter: 'You are receiving this email because you work on this referral.',
    seekerStatusChanged: (who, status) => `${who} updated your referral to ${status}`,
    seekerCreated: (who, program) => `${who} referred you to ${program}`,
    staffStatusChanged: (who, seeker, program, status) =>
      `${who} updated ${seeker}'s referral to ${program}: ${status}`,
    staffCreated: (who, seeker, program) => `${who} referred ${seeker} to ${program}`,
    staffSeekerChanged: (who, program, status) => `${who} updated their referral to ${program}: ${status}`,
    staffStatusSubject: (seeker, program, status) => `${seeker}'s referral to ${program} is now ${status}`,
    staffCreatedSubject: (seeker, program) => `New referral: ${seeker} to ${program}`,
    smsSeeMore: (url) => `See your referrals: ${url}`,
  },
  es: {
    hello: (name) => (name ? `Hola, ${name}:` : 'Hola:'),
    program: 'Programa',
    seeker: 'Para',
    status: 'Estado',
    comment: 'Comentario del referido',
    noComment: '(sin comentario)',
    open: 'Ver el referido',
    oneClickIntro: 'Actualice el estado con un clic:',
    oneClickNote:
      'Cada botón abre una página donde confirma el cambio. Los botones funcionan una sola vez y vencen en 14 días.',
    seekerFooter:
      'Recibe este correo porque pidió que le contactemos por correo electrónico sobre sus referidos. ' +
      'Puede cambiarlo, y también el idioma, en la página de sus referidos.',
    staffFooter: 'Recibe este correo porque trabaja en este referido.',
    seekerStatusChanged: (who, status) => `${who} actualizó su referido a ${status}`,
    seekerCreated: (who, program) => `${who} le refirió a ${program}`,
    staffStatusChanged: (who, seeker, program, status) =>
      `${who} actualizó el referido de ${seeker} a ${program}: ${status}`,
    staffCreated: (who, seeker, program) => `${who} refirió a ${seeker} a ${program}`,
    staffSeekerChanged: (who, program, status) => `${who} actualizó su propio referido a ${program}: ${status}`,
    staffStatusSubject: (seeker, program, status) => `El referido de ${seeker} a ${program} ahora está: ${status}`,
    staffCreatedSubject: (seeker, program) => `Nuevo referido: ${seeker} a ${program}`,
    smsSeeMore: (url) => `Vea sus referidos: ${url}`,
  },
};
