/**
 * The email and text renderer of send-notifications (plain functions shared
 * with the Deno edge function): wording per recipient, language, escaping.
 */
import { describe, expect, it } from 'vitest';
import { renderEmail, renderSms, type ClaimedJob } from '../../supabase/functions/_shared/render.ts';
import { countSegments, foldToGsm7, isGsm7 } from '../../supabase/functions/_shared/segments.ts';

const SITE = 'https://app.example.org/';

function job(over: Partial<ClaimedJob> = {}): ClaimedJob {
  return {
    id: 'j1',
    idempotency_key: 'notification-j1',
    tries: 1,
    max_tries: 8,
    event: 'status_changed',
    from_status: 'not_updated',
    to_status: 'pending',
    current_status: 'pending',
    actor_display_name: 'Clara C.',
    actor_organization: 'Harbor Food Pantry',
    actor_is_seeker: false,
    recipient_kind: 'seeker',
    recipient_name: 'Sam',
    channel: 'email',
    address: 'sam@seeker.example',
    language: 'en',
    referral: {
      id: 'r1',
      comment: 'Bring ID <b>please</b> & "soon"',
      created_at: '2026-11-20T10:00:00Z',
      program_name: 'Harbor Food Pantry',
      program_phone: null,
      seeker_id: 's1',
      seeker_first_name: 'Sam',
    },
    links: [
      { status: 'got_help', token: 'abc.got_help.sig' },
      { status: 'couldnt_get_help', token: 'abc.couldnt_get_help.sig' },
    ],
    ...over,
  };
}

describe('notification emails', () => {
  it('tell the seeker what happened, from the program, with the comment, a link and buttons', () => {
    const email = renderEmail(job(), SITE);
    expect(email.subject).toBe('Harbor Food Pantry updated your referral to Pending');
    expect(email.text).toContain('Hi Sam,');
    expect(email.text).toContain('Bring ID <b>please</b> & "soon"');
    expect(email.text).toContain('Open the referral: https://app.example.org/portal');
    expect(email.text).toContain('- Got help: https://app.example.org/r/abc.got_help.sig');
    expect(email.text).toContain("- Couldn't get help: https://app.example.org/r/abc.couldnt_get_help.sig");
    // HTML escapes what people typed
    expect(email.html).toContain('Bring ID &lt;b&gt;please&lt;/b&gt; &amp; &quot;soon&quot;');
    expect(email.html).not.toContain('<b>please</b>');
    expect(email.html).toContain('href="https://app.example.org/r/abc.got_help.sig"');
    expect(email.html).toContain('<html lang="en">');
  });

  it('speak Spanish to a seeker who prefers it', () => {
    const email = renderEmail(job({ language: 'es' }), SITE);
    expect(email.subject).toBe('Harbor Food Pantry actualizó su referido a Pendiente');
    expect(email.text).toContain('Hola, Sam:');
    expect(email.text).toContain('- Recibió ayuda:');
    expect(email.html).toContain('<html lang="es">');
  });

  it('name the person and organisation to staff, and link to their dashboard', () => {
    const claimer = renderEmail(
      job({
        recipient_kind: 'program',
        recipient_name: 'Clara',
        actor_display_name: 'Helen H.',
        actor_organization: 'Eastside Community Clinic',
        event: 'created',
        to_status: 'not_updated',
        from_status: null,
      }),
      SITE,
    );
    expect(claimer.subject).toBe('New referral: Sam to Harbor Food Pantry');
    expect(claimer.text).toContain('Helen H. (Eastside Community Clinic) referred Sam to Harbor Food Pantry.');
    expect(claimer.text).toContain('https://app.example.org/inbound?referral=r1');
    const helper = renderEmail(job({ recipient_kind: 'helper', recipient_name: 'Helen' }), SITE);
    expect(helper.subject).toBe("Sam's referral to Harbor Food Pantry is now Pending");
    expect(helper.text).toContain('Clara C. (Harbor Food Pantry) updated');
    expect(helper.text).toContain('https://app.example.org/referrals?referral=r1');
  });

  it('say a seeker made the change themselves, and leave out buttons when there are none', () => {
    const email = renderEmail(
      job({
        recipient_kind: 'program',
        actor_display_name: 'Rita R.',
        actor_organization: null,
        actor_is_seeker: true,
        links: [],
      }),
      SITE,
    );
    expect(email.text).toContain('Rita R. updated their referral to Harbor Food Pantry: Pending.');
    expect(email.text).not.toContain('one click');
    expect(email.html).not.toContain('/r/');
  });

  it("tell a seeker's previous address that their contact details changed, and by whom, in their language", () => {
    const change = job({
      event: 'contact_changed',
      from_status: null,
      to_status: null,
      current_status: null,
      actor_display_name: 'Helen H.',
      actor_organization: 'Eastside Community Clinic',
      referral: null,
      links: [],
      contact_change: { fields: ['email', 'preferred_contact'], changed_at: '2026-12-03T10:00:00Z', seeker_id: 's1' },
    });
    const email = renderEmail(change, SITE);
    expect(email.subject).toBe('Your contact details were changed');
    expect(email.text).toContain(
      'Helen H. (Eastside Community Clinic) changed your email address and preferred way to be contacted.',
    );
    expect(email.text).toContain('tell the organisation that is helping you right away');
    expect(email.text).toContain('Open your referrals page: https://app.example.org/portal');
    expect(email.html).not.toContain('/r/');
    const es = renderEmail({ ...change, language: 'es', actor_is_seeker: true }, SITE);
    expect(es.subject).toBe('Se cambiaron sus datos de contacto');
    expect(es.text).toContain('Usted cambió su correo electrónico y forma preferida de contacto.');
    expect(es.html).toContain('<html lang="es">');
    expect(
      renderSms({ ...change, channel: 'sms', contact_change: { ...change.contact_change!, fields: ['phone'] } }, SITE),
    ).toBe(
      'Helen H. (Eastside Community Clinic) changed your phone number. If you did not ask for this change, ' +
        'tell the organisation that is helping you right away, or sign in to your referrals page.\nReply STOP to opt out.',
    );
  });

  it('fit a text message into what happened, one link and the opt-out line', () => {
    expect(renderSms(job({ channel: 'sms' }), SITE)).toBe(
      'Harbor Food Pantry updated your referral to Pending. See your referrals: https://app.example.org/portal\n' +
        'Reply STOP to opt out.',
    );
    const token = `${'a'.repeat(32)}.${'b'.repeat(43)}`;
    expect(renderSms(job({ channel: 'sms' }), SITE, token)).toBe(
      `Harbor Food Pantry updated your referral to Pending. See it or tell us how it went: https://app.example.org/r/${token}\n` +
        'Reply STOP to opt out.',
    );
  });

  it('say the reason of a status change, as the email does, and shorten it before the link', () => {
    const token = `${'a'.repeat(32)}.${'b'.repeat(43)}`;
    const withReason = job({ channel: 'sms', to_status: 'no_capacity', current_status: 'no_capacity' });
    withReason.referral = {
      ...withReason.referral!,
      status_reason: { code: 'waitlist_full', label: 'Waiting list is full', text: null },
    };
    expect(renderSms(withReason, SITE, token)).toBe(
      'Harbor Food Pantry updated your referral to No capacity. Reason: Waiting list is full. ' +
        `See it or tell us how it went: https://app.example.org/r/${token}\nReply STOP to opt out.`,
    );
    withReason.referral.status_reason = { code: 'other', label: 'Other reason', text: 'x'.repeat(400) };
    const long = renderSms(withReason, SITE, token);
    expect(countSegments(long).segments).toBe(2);
    expect(long).toContain('Reason: Other reason: xxx');
    expect(long).toContain(`/r/${token}`);
    expect(long.endsWith('Reply STOP to opt out.')).toBe(true);
  });

  it('keep every text within two segments: Spanish folded to GSM-7, a long name shortened, never the link', () => {
    const token = `${'a'.repeat(32)}.${'b'.repeat(43)}`;
    const es = renderSms(job({ channel: 'sms', language: 'es' }), SITE, token);
    expect(countSegments(es)).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    expect(es).toContain('actualizo su referido');
    expect(es.endsWith('Responda STOP para no recibir mas mensajes.')).toBe(true);
    const long = job({ channel: 'sms', language: 'es', event: 'created' });
    long.referral = { ...long.referral!, program_name: 'Programa de Alimentación Comunitaria '.repeat(8) };
    long.actor_organization = null;
    const text = renderSms(long, SITE, token);
    expect(countSegments(text).segments).toBe(2);
    expect(text).toContain(`/r/${token}`);
    expect(text).toContain('...');
    expect(text.endsWith('Responda STOP para no recibir mas mensajes.')).toBe(true);
  });
});

describe('segments', () => {
  it('count GSM-7 by septets (extension characters take two) and UCS-2 by code units', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', segments: 1, units: 0 });
    expect(countSegments('a'.repeat(160)).segments).toBe(1);
    expect(countSegments('a'.repeat(161)).segments).toBe(2);
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(countSegments('€'.repeat(81)).segments).toBe(2);
    // an escape pair is never split: 306 septets, but € does not fit after 152 in the first segment
    expect(countSegments('a'.repeat(152) + '€' + 'a'.repeat(152))).toEqual({
      encoding: 'GSM-7',
      segments: 3,
      units: 306,
    });
    expect(countSegments('á'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(countSegments('á'.repeat(71)).segments).toBe(2);
    expect(countSegments('á'.repeat(134)).segments).toBe(2);
    expect(countSegments('á'.repeat(135)).segments).toBe(3);
    // a character outside the BMP takes two units and is never split
    expect(countSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(countSegments('a'.repeat(68) + '😀').segments).toBe(1);
    expect(countSegments('a'.repeat(66) + '😀' + 'a'.repeat(66))).toEqual({
      encoding: 'UCS-2',
      segments: 3,
      units: 134,
    });
  });

  it('fold to GSM-7: accents it lacks dropped, its own kept, quotes made plain', () => {
    expect(foldToGsm7('Véalo, díganos cómo le fue: ¿bien? Ñandú “sí” – ok…')).toBe(
      'Véalo, diganos como le fue: ¿bien? Ñandu "si" - ok...',
    );
    expect(isGsm7(foldToGsm7('日本 😀'))).toBe(true);
  });
});

describe('reasons and forwarding in emails', () => {
  const declined = (language: 'en' | 'es', kind: ClaimedJob['recipient_kind'] = 'seeker') =>
    job({
      language,
      recipient_kind: kind,
      to_status: 'not_eligible',
      current_status: 'not_eligible',
      referral: {
        ...job().referral!,
        status_reason: {
          code: 'income',
          label: language === 'es' ? 'Ingresos por encima del límite' : 'Income above the limit',
          text: 'Over the limit for <two>',
        },
      },
    });

  it('say why, in English and in Spanish, escaped in HTML', () => {
    const en = renderEmail(declined('en'), SITE);
    expect(en.text).toContain('Status: Not eligible\nReason: Income above the limit: Over the limit for <two>\n');
    expect(en.html).toContain('Income above the limit: Over the limit for &lt;two&gt;');
    const es = renderEmail(declined('es'), SITE);
    expect(es.text).toContain(
      'Estado: No es elegible\nMotivo: Ingresos por encima del límite: Over the limit for <two>\n',
    );
  });

  it('say nothing of a reason when there is none', () => {
    expect(renderEmail(job(), SITE).text).not.toContain('Reason:');
  });

  const forwarded = (language: 'en' | 'es', kind: ClaimedJob['recipient_kind']) =>
    job({
      language,
      recipient_kind: kind,
      to_status: 'referred_elsewhere',
      referral: {
        ...job().referral!,
        status_reason: { code: 'better_fit', label: 'Another program is a better fit', text: null },
        forwarded_to: { program_name: 'Safe Haven Housing', program_phone: null },
      },
    });

  it('tell the seeker and the referrer where the person was sent on to, in one message', () => {
    const seeker = renderEmail(forwarded('en', 'seeker'), SITE);
    expect(seeker.subject).toBe('Harbor Food Pantry referred you on to Safe Haven Housing');
    expect(seeker.text).toContain('Referred on to: Safe Haven Housing');
    const seekerEs = renderEmail(forwarded('es', 'seeker'), SITE);
    expect(seekerEs.subject).toBe('Harbor Food Pantry le refirió a Safe Haven Housing');
    const helper = renderEmail(forwarded('en', 'helper'), SITE);
    expect(helper.subject).toBe("Sam's referral to Harbor Food Pantry was forwarded to Safe Haven Housing");
    expect(helper.text).toContain(
      "Clara C. (Harbor Food Pantry) sent Sam's referral to Harbor Food Pantry on to Safe Haven Housing.",
    );
  });

  it("tell the new program's claimers where it came from", () => {
    const email = renderEmail(
      job({
        recipient_kind: 'program',
        event: 'created',
        from_status: null,
        to_status: 'not_updated',
        referral: {
          ...job().referral!,
          program_name: 'Safe Haven Housing',
          forwarded_from: { program_name: 'Harbor Food Pantry' },
        },
      }),
      SITE,
    );
    expect(email.text).toContain('Forwarded from: Harbor Food Pantry');
  });
});

describe('response clock and assignment emails', () => {
  const clock = (over: Partial<ClaimedJob>) =>
    job({
      from_status: null,
      to_status: 'not_updated',
      current_status: 'not_updated',
      actor_display_name: '',
      actor_organization: null,
      recipient_kind: 'program',
      recipient_name: 'Clara',
      address: 'clara@harbor.example',
      referral: {
        ...job().referral!,
        response_due_at: '2026-12-08T21:00:00Z',
        response_days: 2,
        program_time_zone: 'America/Chicago',
      },
      ...over,
    });

  it('a reminder says when it was due, in the program’s time zone, with the one-click buttons', () => {
    const email = renderEmail(
      clock({ event: 'reminder', links: [{ status: 'pending', token: 'abc.pending.sig' }] }),
      SITE,
    );
    expect(email.subject).toBe("Waiting for an answer: Sam's referral to Harbor Food Pantry");
    expect(email.text).toContain(
      'It was due Tuesday, December 8, 2026 at 3:00 PM (CST): Harbor Food Pantry usually answers within 2 business days.',
    );
    expect(email.text).toContain('Open the referral: https://app.example.org/inbound?referral=r1');
    expect(email.text).toContain('- Pending: https://app.example.org/r/abc.pending.sig');
  });

  it('a reminder in Spanish', () => {
    const email = renderEmail(clock({ event: 'reminder', language: 'es', links: [] }), SITE);
    expect(email.subject).toBe('Espera respuesta: el referido de Sam a Harbor Food Pantry');
    expect(email.text).toContain('Vencía el martes, 8 de diciembre de 2026');
    expect(email.text).toContain('Harbor Food Pantry suele responder en 2 días hábiles.');
    expect(email.html).toContain('<html lang="es">');
  });

  it('an escalation tells the referrer it is twice the target and links to Start a Referral for the seeker', () => {
    const email = renderEmail(
      clock({ event: 'escalation', recipient_kind: 'helper', recipient_name: 'Helen', links: [] }),
      SITE,
    );
    expect(email.subject).toBe("No answer yet: Sam's referral to Harbor Food Pantry");
    expect(email.text).toContain('Harbor Food Pantry usually answers within 2 business days, and after 4 it has not.');
    expect(email.text).toContain('Start a Referral for Sam: https://app.example.org/people/s1/refer');
    expect(email.html).toContain('href="https://app.example.org/people/s1/refer"');
    const es = renderEmail(clock({ event: 'escalation', recipient_kind: 'helper', language: 'es', links: [] }), SITE);
    expect(es.subject).toBe('Sin respuesta: el referido de Sam a Harbor Food Pantry');
    expect(es.text).toContain('Iniciar un referido para Sam: https://app.example.org/people/s1/refer');
  });

  it('an assignment names who assigned it', () => {
    const email = renderEmail(
      clock({
        event: 'assigned',
        actor_display_name: 'Clara C.',
        actor_organization: 'Harbor Food Pantry',
        recipient_name: 'Cody',
        links: [],
      }),
      SITE,
    );
    expect(email.subject).toBe("Assigned to you: Sam's referral to Harbor Food Pantry");
    expect(email.text).toContain("Clara C. (Harbor Food Pantry) assigned Sam's referral to Harbor Food Pantry to you.");
  });
});
