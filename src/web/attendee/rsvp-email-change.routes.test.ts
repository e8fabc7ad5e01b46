import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { mailKit, openLink, sendTemplate, tokenIn, type MailKit } from '../../../test/helpers/secure-links.js';
import { systemActor } from '../../lib/context.js';
import { createCustomField } from '../../modules/custom-fields/index.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import { updateForm } from '../../modules/forms/index.js';
import { createParticipant, getParticipant, type Participant } from '../../modules/participants/index.js';

describe('email change, RSVP and dead form links', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let mail: MailKit;
  let event: Event;
  let counter = 0;
  const START = '2026-06-01T08:00:00.000Z';

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    mail = await mailKit(t);
    event = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: 'Forum', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris' });
    await createCustomField(t.db, t.ctx, systemActor, org.orgId, event.id, { key: 'company', label: 'Company', type: 'text', required: true });
    const created = await owner.post(`/admin/o/${org.orgId}/events/${event.id}/forms/new`, { title: 'Contact details', field: ['company'], allow_email_change: 'on', closes_at: '' });
    assert.equal(created.statusCode, 303, created.body.slice(0, 400));
  });
  after(async () => {
    await mail.close();
    await t.close();
  });

  async function person(status: Participant['status']): Promise<Participant> {
    counter += 1;
    return createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: `q${counter}@example.org`, firstName: `Yves${counter}`, lastName: 'Rook', status, fields: { company: 'Rook SA' } });
  }

  async function linkFor(p: Participant, tag: string): Promise<string> {
    await sendTemplate(t, p, `<p><a href="{{ ${tag} }}">open</a></p>`);
    await mail.drain();
    return tokenIn(mail.lastMailTo(p.email));
  }

  test('a new address entered on a secure form is used only once confirmed from that address', async () => {
    const p = await person('registered');
    const browser = new Session(t.app);
    const form = await openLink(browser, await linkFor(p, 'update_link'));
    assert.equal(form, `/e/${event.id}/forms/contact-details`);
    assert.match((await browser.get(form)).body, /name="new_email"/);
    const sent = await browser.post(form, { 'cf.company': '', new_email: 'New.Address@Example.NET' });
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 400));
    assert.match((await browser.get(sent.headers.location as string)).body, /We have sent a link to the new email address/);
    assert.equal((await getParticipant(t.db, org.orgId, event.id, p.id)).email, p.email, 'nothing changes before confirmation');

    await mail.drain();
    const confirmation = mail.lastMailTo('New.Address@example.net');
    assert.match(confirmation.subject, /Confirm your new email address for Forum/);
    assert.deepEqual(confirmation.rcptTo, ['New.Address@example.net']);
    const token = tokenIn(confirmation);
    const landing = await new Session(t.app).get(`/l/${token}`);
    assert.match(landing.body, /Confirm N\*\*\*@e\*\*\*\.net as your email for Forum/);
    assert.equal((await getParticipant(t.db, org.orgId, event.id, p.id)).email, p.email, 'opening the link changes nothing');

    const confirm = await new Session(t.app).post(`/l/${token}`, {});
    assert.equal(confirm.statusCode, 303);
    assert.equal(confirm.headers.location, `/e/${event.id}/email-change/done`);
    assert.equal((await getParticipant(t.db, org.orgId, event.id, p.id)).email, 'New.Address@example.net');
    assert.equal((await browser.get(form)).statusCode, 403, "the participant's other sessions ended");
    await mail.drain();
    assert.match(mail.lastMailTo(p.email).subject, /Your email address for Forum was changed/);
    const again = await new Session(t.app).post(`/l/${token}`, {});
    assert.equal(again.statusCode, 410, 'the confirmation link works once');
  });

  test('an address already used by another participant is neither mailed nor applied', async () => {
    const p = await person('registered');
    const other = await person('imported');
    const browser = new Session(t.app);
    const form = await openLink(browser, await linkFor(p, 'update_link'));
    const before = mail.mailsTo(other.email).length;
    assert.equal((await browser.post(form, { 'cf.company': 'X', new_email: other.email })).statusCode, 303, 'the same answer as for a free address');
    await mail.drain();
    assert.equal(mail.mailsTo(other.email).length, before, 'no confirmation goes to an address on the event');

    // Free when asked, taken by the time the link is used: refused, nothing changes.
    await browser.post(form, { 'cf.company': 'X', new_email: 'race@example.org' });
    await mail.drain();
    const token = tokenIn(mail.lastMailTo('race@example.org'));
    await createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: 'race@example.org', firstName: 'R', lastName: 'Ace', fields: { company: 'Race' } });
    const confirm = await new Session(t.app).post(`/l/${token}`, {});
    assert.equal(confirm.headers.location, `/e/${event.id}/email-change/refused`);
    assert.equal((await getParticipant(t.db, org.orgId, event.id, p.id)).email, p.email);
  });

  test('RSVP: accepting registers, declining declines, and the dashboard counts the answers', async () => {
    const yes = await person('invited');
    const no = await person('invited');
    await person('invited');
    const before = (await owner.get(`/admin/o/${org.orgId}/events/${event.id}`)).body;
    const pending = Number(/<b>(\d+)<\/b> invited, no answer yet/.exec(before)![1]);

    const accepting = new Session(t.app);
    const landing = await accepting.get(`/l/${await linkFor(yes, 'rsvp_link')}`);
    assert.match(landing.body, /Reply to the invitation to Forum/);
    const token = tokenIn(mail.lastMailTo(yes.email));
    assert.equal(await openLink(accepting, token), `/e/${event.id}/rsvp`);
    const page = await accepting.get(`/e/${event.id}/rsvp`);
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('Rook SA') && !page.body.includes(yes.firstName), 'not prefilled');
    const missing = await accepting.post(`/e/${event.id}/rsvp`, { answer: 'accepted', first_name: '', last_name: '', 'cf.company': '' });
    assert.equal(missing.statusCode, 303, 'empty answers keep what is on file');
    const accepted = await getParticipant(t.db, org.orgId, event.id, yes.id);
    assert.deepEqual([accepted.status, accepted.firstName, accepted.fields['company']], ['registered', yes.firstName, 'Rook SA']);
    assert.ok(accepted.registeredAt);

    const declining = new Session(t.app);
    await openLink(declining, await linkFor(no, 'rsvp_link'));
    const declined = await declining.post(`/e/${event.id}/rsvp`, { answer: 'declined' });
    assert.equal(declined.headers.location, `/e/${event.id}/rsvp/done?answer=declined`);
    assert.equal((await getParticipant(t.db, org.orgId, event.id, no.id)).status, 'declined');

    const dashboard = (await owner.get(`/admin/o/${org.orgId}/events/${event.id}`)).body;
    assert.match(dashboard, new RegExp(`RSVP: <b>1</b> accepted · <b>1</b> declined · <b>${pending - 2}</b> invited, no answer yet`));
  });

  test('an RSVP link opens only the RSVP page, and a token relabelled as a form link is refused', async () => {
    const p = await person('invited');
    const token = await linkFor(p, 'rsvp_link');
    const forged = token.replace(/^tsr_rsvp_/, 'tsr_form_');
    const stranger = new Session(t.app);
    const page = await stranger.get(`/l/${forged}`);
    assert.equal(page.statusCode, 404);
    assert.match(page.body, /This link cannot be used/);
    assert.equal((await stranger.post(`/l/${forged}`, {})).statusCode, 404);
    assert.ok(!stranger.cookies.has('tessera_attendee'), 'no session');

    const browser = new Session(t.app);
    await openLink(browser, token);
    assert.equal((await browser.get(`/e/${event.id}/forms/contact-details`)).statusCode, 403, 'an RSVP session opens no form');
    const sent = await browser.post(`/e/${event.id}/forms/contact-details`, { 'cf.company': 'Hijack' });
    assert.equal(sent.statusCode, 403);
    assert.equal((await getParticipant(t.db, org.orgId, event.id, p.id)).fields['company'], 'Rook SA');
  });

  test('a form closed while its link is open refuses clearly', async () => {
    const p = await person('registered');
    const browser = new Session(t.app);
    const form = await openLink(browser, await linkFor(p, 'update_link'));
    await updateForm(t.db, t.ctx, systemActor, org.orgId, event.id, (await t.db.selectFrom('event_forms').select('id').where('slug', '=', 'contact-details').executeTakeFirstOrThrow()).id, {
      title: 'Contact details',
      fieldKeys: ['company'],
      allowEmailChange: true,
      closesAt: '2026-06-01T07:00:00.000Z',
    });
    const page = await browser.get(form);
    assert.equal(page.statusCode, 403);
    assert.match(page.body, /Contact details is closed/);
    assert.match(page.body, /closed on Mon, 1 Jun\w* 2026, 09:00 \(Europe\/Paris\)/, 'the closing time in the event zone');
    assert.equal((await browser.post(form, { 'cf.company': 'Late' })).statusCode, 403);
    assert.equal((await getParticipant(t.db, org.orgId, event.id, p.id)).fields['company'], 'Rook SA');
  });

  test('an expired form link says which link it was and emails a fresh one that works', async () => {
    const edited = await owner.post(`/admin/o/${org.orgId}/events/${event.id}/forms/register/edit`, { title: 'Registration', closes_at: '2026-06-03T10:00' });
    assert.equal(edited.statusCode, 303, edited.body.slice(0, 400));
    const p = await person('imported');
    const token = await linkFor(p, 'registration_link');
    try {
      t.clock.set('2026-06-05T08:00:00.000Z');
      const dead = await new Session(t.app).get(`/l/${token}`);
      assert.equal(dead.statusCode, 410);
      assert.match(dead.body, /This secure form link for Forum has expired/);
      assert.ok(!dead.body.includes(p.email) && !dead.body.includes(p.firstName), 'never whose link it was');
      // The organiser reopens registration; the person asks for a fresh link from the dead one.
      await updateForm(t.db, t.ctx, systemActor, org.orgId, event.id, 'register', { title: 'Registration', allowEmailChange: false, closesAt: null });
      const renew = await new Session(t.app).post(`/l/${token}/renew`, {});
      assert.match(renew.body, /Check your inbox/);
      const count = mail.mailsTo(p.email).length;
      await mail.drain();
      assert.equal(mail.mailsTo(p.email).length, count + 1);
      const fresh = tokenIn(mail.lastMailTo(p.email));
      assert.notEqual(fresh, token);
      const browser = new Session(t.app);
      assert.equal(await openLink(browser, fresh), `/e/${event.id}/forms/register`);
      assert.equal((await browser.get(`/e/${event.id}/forms/register`)).statusCode, 200);
    } finally {
      t.clock.set(START);
    }
  });
});
