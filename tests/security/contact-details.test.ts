/**
 * Attack: redirecting another organisation's messages through a seeker's
 * contact details. Carl (Safe Haven claimer) sees Sam only through a referral
 * (R4). If he could set Sam's email to his own, the next change of R1 (Harbor,
 * which Carl cannot see) would mail him R1's comment and Sam's one-click
 * buttons, and a click would put "Sam S." in R1's history.
 *
 * The rule: a seeker's email, phone and preferred contact change only by the
 * seeker or the organisation that added them; every change is in the seeker's
 * history and told to the previous address; a one-click link acts only while
 * the address it was sent to is still the recipient's.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anonClient, closeDb, mail, resetDb, serviceClient, signIn, sms, sql, type Client } from '../support/stack.ts';
import {
  daytimeEverywhere,
  freshWorld,
  oneClickLink,
  outboxSettled,
  tokenOf,
  waitUntil,
} from '../notifications/helpers.ts';
import { referrals, seekers, users } from '../db/world.ts';

const SAM_EMAIL = users.sam.email;
const ATTACKER = 'carl.private@elsewhere.example';
const NEW_EMAIL = 'sam.new@seeker.example';

let carl: Client;
let clara: Client;
let helen: Client;
let sam: Client;
let walter: Client;

beforeAll(async () => {
  await freshWorld(resetDb);
  [carl, clara, helen, sam, walter] = await Promise.all([
    signIn(users.carl.email),
    signIn(users.clara.email),
    signIn(users.helen.email),
    signIn(users.sam.email),
    signIn(users.walter.email),
  ]);
});
beforeEach(() => freshWorld(resetDb));
afterAll(closeDb);

const applyLink = (token: string, action: 'inspect' | 'apply') =>
  anonClient().functions.invoke('apply-status-link', { body: { token, action } });

async function samRow() {
  const [row] = await sql<{ email: string | null; phone: string | null; preferred_contact: string }>(
    'select email, phone, preferred_contact from public.seekers where id = $1',
    [seekers.sam],
  );
  return row!;
}

/** Clara moves R1 on; resolves with the email Sam gets about it. */
async function claraUpdatesR1(status: string, to: string) {
  const { error } = await clara
    .from('referrals')
    .update({ status: status as never })
    .eq('id', referrals.R1);
  expect(error).toBeNull();
  return mail.waitFor((m) => m.to.some((t) => t.address === to) && /updated your referral/.test(m.subject));
}

describe('staff who see a seeker only through a referral', () => {
  it('see the contact details but cannot change email, phone or preferred contact', async () => {
    const seen = await carl.from('seekers').select('email, phone').eq('id', seekers.sam).single();
    expect(seen.data).toEqual({ email: SAM_EMAIL, phone: '(512) 555-0199' });

    for (const change of [{ email: ATTACKER }, { phone: '(512) 555-6666' }, { preferred_contact: 'none' as const }]) {
      const { error } = await carl.from('seekers').update(change).eq('id', seekers.sam);
      expect(error?.code, JSON.stringify(change)).toBe('42501');
      expect(error?.message).toBe(
        'Only the organisation that added Sam S. and Sam themselves can change their email, phone or preferred contact',
      );
      expect(error?.hint).toMatch(/Ask the organisation that added them/);
    }
    expect(await samRow()).toEqual({ email: SAM_EMAIL, phone: '(512) 555-0199', preferred_contact: 'email' });
    expect(await sql('select 1 from public.seeker_events where seeker_id = $1', [seekers.sam])).toEqual([]);
  });

  it('the app can tell who may change them (contact_editable), so the form shows them read-only', async () => {
    const editable = async (client: Client) =>
      (await client.from('seekers').select('contact_editable').eq('id', seekers.sam).single()).data?.contact_editable;
    expect(await editable(carl)).toBe(false);
    expect(await editable(clara)).toBe(false);
    expect(await editable(helen)).toBe(true);
    expect(await editable(sam)).toBe(true);
  });

  it("so the next change of a referral Carl cannot see still goes to Sam's own address", async () => {
    await carl.from('seekers').update({ email: ATTACKER }).eq('id', seekers.sam);
    const toSam = await claraUpdatesR1('pending', SAM_EMAIL);
    expect(toSam.text).toContain('he can come by after 3pm');
    await outboxSettled();
    expect(await mail.to(ATTACKER)).toEqual([]);
  });

  it('may still change what is not contact (the name), as before', async () => {
    const { data, error } = await carl
      .from('seekers')
      .update({ last_name: 'Seeker-Smith' })
      .eq('id', seekers.sam)
      .select('last_name');
    expect(error).toBeNull();
    expect(data).toEqual([{ last_name: 'Seeker-Smith' }]);
  });
});

describe('the organisation that added the seeker, and the seeker', () => {
  it("Helen changes Sam's email: the history names her and the old address is told", async () => {
    const { data, error } = await helen
      .from('seekers')
      .update({ email: NEW_EMAIL })
      .eq('id', seekers.sam)
      .select('email');
    expect(error).toBeNull();
    expect(data).toEqual([{ email: NEW_EMAIL }]);

    // the seeker's history, read by whoever sees Sam (Carl too), not by Walter
    const history = await carl
      .from('seeker_events')
      .select('event_type, fields, from_email, to_email, actor_id, actor_display_name, actor_organization')
      .eq('seeker_id', seekers.sam);
    expect(history.error).toBeNull();
    expect(history.data).toEqual([
      {
        event_type: 'contact_changed',
        fields: ['email'],
        from_email: SAM_EMAIL,
        to_email: NEW_EMAIL,
        actor_id: users.helen.id,
        actor_display_name: 'Helen H.',
        actor_organization: 'Eastside Community Clinic',
      },
    ]);
    expect((await walter.from('seeker_events').select('id').eq('seeker_id', seekers.sam)).data).toEqual([]);

    const notice = await mail.waitFor((m) => m.to.some((t) => t.address === SAM_EMAIL));
    expect(notice.subject).toBe('Your contact details were changed');
    expect(notice.text).toContain('Helen H. (Eastside Community Clinic) changed your email address.');
    expect(notice.text).not.toContain(NEW_EMAIL);
    await outboxSettled();
    expect(await mail.to(NEW_EMAIL)).toEqual([]);
  });

  it('a one-click link sent to the old address no longer acts; the new address gets working ones', async () => {
    const old = await claraUpdatesR1('pending', SAM_EMAIL);
    await outboxSettled();
    const oldToken = tokenOf(oneClickLink(old, 'got_help'));
    expect((await applyLink(oldToken, 'inspect')).data).toMatchObject({ state: 'ready' });

    expect((await helen.from('seekers').update({ email: NEW_EMAIL }).eq('id', seekers.sam)).error).toBeNull();

    expect((await applyLink(oldToken, 'inspect')).data).toMatchObject({ state: 'address_changed' });
    const applied = await applyLink(oldToken, 'apply');
    // and says nothing more about the referral to whoever holds the old mailbox
    expect(applied.data).toMatchObject({ state: 'address_changed', referral: null });
    const [r1] = await sql<{ status: string }>('select status from public.referrals where id = $1', [referrals.R1]);
    expect(r1!.status).toBe('pending');
    expect(
      await sql(`select 1 from public.referral_events where referral_id = $1 and actor_display_name = 'Sam S.'`, [
        referrals.R1,
      ]),
    ).toEqual([]);

    // the honest path: the next email goes to the new address, and its link works
    await mail.clear();
    const fresh = await claraUpdatesR1('eligible', NEW_EMAIL);
    await outboxSettled();
    const applyFresh = await applyLink(tokenOf(oneClickLink(fresh, 'got_help')), 'apply');
    expect(applyFresh.data).toMatchObject({ state: 'applied', referral: { status: 'got_help' } });
  });

  it("a staff member's link stops acting for them once they leave the program", async () => {
    const { error } = await helen.from('referrals').update({ status: 'needs_client_action' }).eq('id', referrals.R1);
    expect(error).toBeNull();
    const toCody = await mail.waitFor((m) => m.to.some((t) => t.address === users.cody.email));
    await outboxSettled();
    const token = tokenOf(oneClickLink(toCody, 'eligible'));
    expect((await applyLink(token, 'inspect')).data).toMatchObject({ state: 'ready' });
    // Cody leaves Harbor Food Pantry: R1 no longer reaches him
    await sql('delete from public.program_members where user_id = $1', [users.cody.id]);
    expect((await applyLink(token, 'apply')).data).toMatchObject({ state: 'no_access', referral: null });
    const [r1] = await sql<{ status: string }>('select status from public.referrals where id = $1', [referrals.R1]);
    expect(r1!.status).toBe('needs_client_action');
  });

  it('Sam changes his own phone: recorded as him, and the old number is told (a text message)', async () => {
    await daytimeEverywhere();
    // the SMS catcher keeps texts of earlier suites to the same number (Sam's portal in tests/e2e)
    await sms.clear();
    const { error } = await sam.from('seekers').update({ phone: '(512) 555-0100' }).eq('id', seekers.sam);
    expect(error).toBeNull();
    const history = await sam
      .from('seeker_events')
      .select('fields, from_phone, to_phone, actor_display_name, actor_organization');
    expect(history.data).toEqual([
      {
        fields: ['phone'],
        from_phone: '(512) 555-0199',
        to_phone: '(512) 555-0100',
        actor_display_name: 'Sam S.',
        actor_organization: null,
      },
    ]);
    const job = await waitUntil('the text to the old number to be settled', async () => {
      const [row] = await sql<{ channel: string; address: string; state: string; event: string }>(
        `select channel, address, state, event from public.notification_jobs
          where recipient_seeker_id = $1 and event = 'contact_changed' and state not in ('pending', 'sending')`,
        [seekers.sam],
      );
      return row;
    });
    // a text to the old number (E.164), through the stack's SMS catcher
    expect(job).toEqual({ channel: 'sms', address: '+15125550199', state: 'sent', event: 'contact_changed' });
    const text = await sms.waitFor((t) => t.to === '+15125550199');
    expect(text.body).toMatch(/^You changed your phone number\. /);
  });

  it("an administrator's change (SQL) is recorded as the system and told to nobody", async () => {
    await sql(`update public.seekers set email = $2 where id = $1`, [seekers.sam, NEW_EMAIL]);
    const [event] = await sql(
      `select fields, actor_id, actor_display_name from public.seeker_events where seeker_id = $1`,
      [seekers.sam],
    );
    expect(event).toEqual({ fields: ['email'], actor_id: null, actor_display_name: 'System' });
    expect(await sql(`select 1 from public.notification_jobs where event = 'contact_changed'`)).toEqual([]);
  });

  it('the seeker history cannot be rewritten: not through the API, not by an admin in SQL', async () => {
    expect((await helen.from('seekers').update({ preferred_contact: 'text' }).eq('id', seekers.sam)).error).toBeNull();
    const upd = await helen
      .from('seeker_events')
      .update({ actor_display_name: 'x' } as never)
      .eq('seeker_id', seekers.sam);
    expect(upd.error?.code).toBe('42501');
    const del = await serviceClient().from('seeker_events').delete().eq('seeker_id', seekers.sam);
    expect(del.error?.code).toBe('42501');
    await expect(sql(`delete from public.seeker_events where seeker_id = $1`, [seekers.sam])).rejects.toThrow(
      /Seeker history cannot be changed/,
    );
    expect(await sql('select 1 from public.seeker_events where seeker_id = $1', [seekers.sam])).toHaveLength(1);
  });
});
