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
  /** the reason given with the status, and the words given with it */
  reason: string;
  /** the program a forwarded referral went on to, or came from */
  forwardedTo: string;
  forwardedFrom: string;
  /** "Harbor Food Pantry referred you on to Safe Haven Housing" */
  seekerForwarded: (who: string, program: string) => string;
  /** "Clara C. (Harbor Food Pantry) sent Sam's referral to Harbor Food Pantry on to Safe Haven Housing" */
  staffForwarded: (who: string, seeker: string, from: string, to: string) => string;
  staffForwardedSubject: (seeker: string, from: string, to: string) => string;
  open: string;
  openPortal: string;
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
  /** A text's one-click link: "See it or tell us how it went: <url>" */
  smsChoose: (url: string) => string;
  /** The last line of every text. */
  smsOptOut: string;
  /** A seeker's contact details changed: told at the previous address. */
  contactField: Record<ContactField, string>;
  /** "email address and phone number" */
  joinFields: (names: string[]) => string;
  contactChangedSubject: string;
  /** "Carl D. (Safe Haven Housing) changed your email address" */
  contactChangedBy: (who: string, fields: string) => string;
  /** the seeker changed it themselves */
  contactChangedBySelf: (fields: string) => string;
  contactChangedWhat: string;
  contactChangedIfNot: string;
  contactChangedFooter: string;
  /** Response clocks: a referral past its due time unanswered (to the program). */
  reminderHeadline: (seeker: string, program: string) => string;
  reminderSubject: (seeker: string, program: string) => string;
  /** "It was due Tuesday, December 8 at 3:00 PM; Harbor usually answers within 2 business days." */
  reminderWhat: (due: string, program: string, days: number) => string;
  reminderAsk: string;
  /** Still unanswered at twice the target (to the referrer). */
  escalationHeadline: (seeker: string, program: string) => string;
  escalationSubject: (seeker: string, program: string) => string;
  escalationWhat: (program: string, days: number, twice: number) => string;
  escalationAsk: (seeker: string) => string;
  startReferral: (seeker: string) => string;
  /** A claimer assigned the referral to the recipient. */
  assignedHeadline: (who: string, seeker: string, program: string) => string;
  assignedSubject: (seeker: string, program: string) => string;
  assignedWhat: string;
  /** How a due time is written: the locale for Intl. */
  locale: string;
  /** staff emails: how to reach the person, and the note for the program */
  person: string;
  phone: string;
  email: string;
  bestWay: string;
  bestWays: Record<'email' | 'text' | 'phone' | 'none', string>;
  none: string;
  programNote: string;
}

export type ContactField = 'email' | 'phone' | 'preferred_contact';

export const WORDS: Record<Language, Words> = {
  en: {
    hello: (name) => (name ? `Hi ${name},` : 'Hello,'),
    program: 'Program',
    seeker: 'For',
    status: 'Status',
    comment: 'Comment with the referral',
    noComment: '(no comment)',
    reason: 'Reason',
    forwardedTo: 'Referred on to',
    forwardedFrom: 'Forwarded from',
    seekerForwarded: (who, program) => `${who} referred you on to ${program}`,
    staffForwarded: (who, seeker, from, to) => `${who} sent ${seeker}'s referral to ${from} on to ${to}`,
    staffForwardedSubject: (seeker, from, to) => `${seeker}'s referral to ${from} was forwarded to ${to}`,
    open: 'Open the referral',
    openPortal: 'Open your referrals page',
    oneClickIntro: 'Update the status in one click:',
    oneClickNote: 'Each button opens a page where you confirm the change. The buttons work once and expire in 14 days.',
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
    smsChoose: (url) => `See it or tell us how it went: ${url}`,
    smsOptOut: 'Reply STOP to opt out.',
    contactField: { email: 'email address', phone: 'phone number', preferred_contact: 'preferred way to be contacted' },
    joinFields: (names) =>
      names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`,
    contactChangedSubject: 'Your contact details were changed',
    contactChangedBy: (who, fields) => `${who} changed your ${fields}`,
    contactChangedBySelf: (fields) => `You changed your ${fields}`,
    contactChangedWhat:
      'Messages about your referrals now go to the new details. This address will not get them any more, ' +
      'and buttons in earlier emails sent here no longer work.',
    contactChangedIfNot:
      'If you did not ask for this change, tell the organisation that is helping you right away, ' +
      'or sign in to your referrals page.',
    contactChangedFooter: 'You are receiving this email because it is the address we had for you before the change.',
    reminderHeadline: (seeker, program) => `${seeker}'s referral to ${program} is waiting for an answer`,
    reminderSubject: (seeker, program) => `Waiting for an answer: ${seeker}'s referral to ${program}`,
    reminderWhat: (due, program, days) =>
      `It was due ${due}: ${program} usually answers within ${days} business day${days === 1 ? '' : 's'}.`,
    reminderAsk: 'Update its status so that the person and whoever referred them know where it stands.',
    escalationHeadline: (seeker, program) => `${program} has not answered ${seeker}'s referral`,
    escalationSubject: (seeker, program) => `No answer yet: ${seeker}'s referral to ${program}`,
    escalationWhat: (program, days, twice) =>
      `${program} usually answers within ${days} business day${days === 1 ? '' : 's'}, and after ${twice} it has not.`,
    escalationAsk: (seeker) => `You may want to call the program, or refer ${seeker} to another one.`,
    startReferral: (seeker) => `Start a Referral for ${seeker}`,
    assignedHeadline: (who, seeker, program) => `${who} assigned ${seeker}'s referral to ${program} to you`,
    assignedSubject: (seeker, program) => `Assigned to you: ${seeker}'s referral to ${program}`,
    assignedWhat: 'You are now the one who handles it: reminders about it come to you.',
    locale: 'en-US',
    person: 'Person',
    phone: 'Phone',
    email: 'Email',
    bestWay: 'Best way to reach',
    bestWays: { email: 'Email', text: 'Text message', phone: 'Phone call', none: "Don't reach out" },
    none: '(none)',
    programNote: 'Note for the program only',
  },
  es: {
    hello: (name) => (name ? `Hola, ${name}:` : 'Hola:'),
    program: 'Programa',
    seeker: 'Para',
    status: 'Estado',
    comment: 'Comentario del referido',
    noComment: '(sin comentario)',
    reason: 'Motivo',
    forwardedTo: 'Referido ahora a',
    forwardedFrom: 'Enviado desde',
    seekerForwarded: (who, program) => `${who} le refirió a ${program}`,
    staffForwarded: (who, seeker, from, to) => `${who} envió el referido de ${seeker} a ${from} a ${to}`,
    staffForwardedSubject: (seeker, from, to) => `El referido de ${seeker} a ${from} se envió a ${to}`,
    open: 'Ver el referido',
    openPortal: 'Ver sus referidos',
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
    smsChoose: (url) => `Véalo o díganos cómo le fue: ${url}`,
    smsOptOut: 'Responda STOP para no recibir más mensajes.',
    contactField: {
      email: 'correo electrónico',
      phone: 'número de teléfono',
      preferred_contact: 'forma preferida de contacto',
    },
    joinFields: (names) =>
      names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} y ${names[names.length - 1]}`,
    contactChangedSubject: 'Se cambiaron sus datos de contacto',
    contactChangedBy: (who, fields) => `${who} cambió su ${fields}`,
    contactChangedBySelf: (fields) => `Usted cambió su ${fields}`,
    contactChangedWhat:
      'Los mensajes sobre sus referidos ahora van a los datos nuevos. Esta dirección ya no los recibirá, ' +
      'y los botones de los correos anteriores enviados aquí ya no funcionan.',
    contactChangedIfNot:
      'Si usted no pidió este cambio, avise de inmediato a la organización que le está ayudando, ' +
      'o entre a la página de sus referidos.',
    contactChangedFooter: 'Recibe este correo porque es la dirección que teníamos antes del cambio.',
    reminderHeadline: (seeker, program) => `El referido de ${seeker} a ${program} espera una respuesta`,
    reminderSubject: (seeker, program) => `Espera respuesta: el referido de ${seeker} a ${program}`,
    reminderWhat: (due, program, days) =>
      `Vencía el ${due}: ${program} suele responder en ${days} día${days === 1 ? '' : 's'} hábil${days === 1 ? '' : 'es'}.`,
    reminderAsk: 'Actualice su estado para que la persona y quien la refirió sepan cómo va.',
    escalationHeadline: (seeker, program) => `${program} no ha respondido al referido de ${seeker}`,
    escalationSubject: (seeker, program) => `Sin respuesta: el referido de ${seeker} a ${program}`,
    escalationWhat: (program, days, twice) =>
      `${program} suele responder en ${days} día${days === 1 ? '' : 's'} hábil${days === 1 ? '' : 'es'}, y después de ${twice} no lo ha hecho.`,
    escalationAsk: (seeker) => `Puede llamar al programa, o referir a ${seeker} a otro.`,
    startReferral: (seeker) => `Iniciar un referido para ${seeker}`,
    assignedHeadline: (who, seeker, program) => `${who} le asignó el referido de ${seeker} a ${program}`,
    assignedSubject: (seeker, program) => `Asignado a usted: el referido de ${seeker} a ${program}`,
    assignedWhat: 'Ahora usted se encarga de él: los recordatorios le llegarán a usted.',
    locale: 'es-US',
    person: 'Persona',
    phone: 'Teléfono',
    email: 'Correo',
    bestWay: 'Mejor forma de contacto',
    bestWays: { email: 'Correo electrónico', text: 'Mensaje de texto', phone: 'Llamada', none: 'No contactar' },
    none: '(ninguno)',
    programNote: 'Nota solo para el programa',
  },
};
