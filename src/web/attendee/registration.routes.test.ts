import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { mailKit, openLink, sendTemplate, tokenIn, type MailKit } from '../../../test/helpers/secure-links.js';
import { systemActor } from '../../lib/context.js';
import { startAttendeeSession } from '../../modules/attendee-sessions/index.js';
import { createCustomField } from '../../modules/custom-fields/index.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import { createParticipant, getParticipant, type Participant } from '../../modules/participants/index.js';
import { ATTENDEE_COOKIE } from '../../http/attendee-session.js';

describe('registration forms and secure form links', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let mail: MailKit;
  let event: Event;
  let counter = 0;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    mail = await mailKit(t);
    event = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: 'Summit', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris' });
    await createCustomField(t.db, t.ctx, systemActor, org.orgId, event.id, { key: 'company', label: 'Company', type: 'text', required: true });
    await createCustomField(t.db, t.ctx, systemActor, org.orgId, event.id, { key: 'diet', label: 'Diet', type: 'single_choice', options: ['Any', 'Vegan'] });
  });
  after(async () => {
    await mail.close();
    await t.close();
  });

  async function person(status: Participant['status'], company = 'Secret Corp'): Promise<Participant> {
    counter += 1;
    return createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: `p${counter}@example.org`, firstName: `Zelda${counter}`, lastName: 'Quartz', status, fields: { company } });
  }

  async function participantsWithEmail(email: string): Promise<number> {
    return (await t.db.selectFrom('participants').select('id').where('event_id', '=', event.id).where('email', '=', email).execute()).length;
  }

  /** A browser that followed the participant's emailed link of this kind, and the page it landed on. */
  async function followLink(p: Participant, tag: string): Promise<{ browser: Session; location: string; token: string }> {
    await sendTemplate(t, p, `<p><a href="{{ ${tag} }}">open</a></p>`);
    await mail.drain();
    const token = tokenIn(mail.lastMailTo(p.email));
    const browser = new Session(t.app);
    return { browser, location: await openLink(browser, token), token };
  }

  test('an imported participant opens the secure link, gets an empty form, and registers into the same record', async () => {
    const imported = await person('imported');
    const { browser, location, token } = await followLink(imported, 'registration_link');
    const landing = await new Session(t.app).get(`/l/${token}`);
    assert.match(landing.body, /Continue to Registration for Summit/);
    assert.equal(location, `/e/${event.id}/forms/register`, 'the token has left the URL');
    assert.ok(browser.cookies.has(ATTENDEE_COOKIE));

    const form = await browser.get(location);
    assert.equal(form.statusCode, 200);
    assert.equal(form.headers['cache-control'], 'no-store');
    assert.equal(form.headers['referrer-policy'], 'no-referrer');
    for (const secret of ['Secret Corp', imported.email, imported.firstName]) assert.ok(!form.body.includes(secret), `the form does not show ${secret}`);

    const sent = await browser.post(location, { first_name: 'Zelda', last_name: 'Quartz', 'cf.company': 'Open Corp', 'cf.diet': 'Vegan' });
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 500));
    assert.equal(sent.headers.location, `/e/${event.id}/forms/register/done`);
    const after = await getParticipant(t.db, org.orgId, event.id, imported.id);
    assert.equal(after.status, 'registered');
    assert.ok(after.registeredAt);
    assert.deepEqual(after.fields, { company: 'Open Corp', diet: 'Vegan' });
    assert.equal(await participantsWithEmail(imported.email), 1, 'no duplicate participant');
    const audit = await t.db.selectFrom('audit_log').select(['actor_type', 'actor_id', 'data']).where('action', '=', 'participant.registered').where('target_id', '=', imported.id).executeTakeFirstOrThrow();
    assert.deepEqual([audit.actor_type, audit.actor_id, JSON.parse(audit.data).via], ['attendee', imported.id, 'form']);
  });

  test('a registered participant updates their data through the update link without signing in', async () => {
    const created = await owner.post(`/admin/o/${org.orgId}/events/${event.id}/forms/new`, { title: 'Your company', field: ['company'], closes_at: '' });
    assert.equal(created.statusCode, 303, created.body.slice(0, 500));
    const registered = await person('registered', 'Old Co');
    const { browser, location } = await followLink(registered, 'update_link');
    assert.equal(location, `/e/${event.id}/forms/your-company`);
    const page = await browser.get(location);
    assert.match(page.body, /<h1>Your company<\/h1>/);
    assert.ok(!page.body.includes('Old Co'), 'not prefilled');
    assert.ok(!page.body.includes('name="first_name"'), 'an update form shows only its fields');

    const missing = await browser.post(location, { 'cf.company': '' });
    assert.equal(missing.statusCode, 303, 'an empty answer keeps what is on file');
    assert.equal((await getParticipant(t.db, org.orgId, event.id, registered.id)).fields['company'], 'Old Co');
    const saved = await browser.post(location, { 'cf.company': 'New Co' });
    assert.equal(saved.statusCode, 303);
    const after = await getParticipant(t.db, org.orgId, event.id, registered.id);
    assert.deepEqual([after.status, after.fields['company'], after.registeredAt], ['registered', 'New Co', registered.registeredAt]);
  });

  test('a forwarded link shows nobody data: whoever opens it gets an empty form', async () => {
    const owner2 = await person('registered', 'Hidden Ltd');
    const { token } = await followLink(owner2, 'registration_link');
    const stranger = new Session(t.app);
    const landing = await stranger.get(`/l/${token}`);
    assert.match(landing.body, new RegExp(`for ${owner2.firstName} Q\\.`), 'the landing page names the owner only as first name and initial');
    assert.ok(!landing.body.includes(owner2.email) && !landing.body.includes('Quartz'));
    const form = await stranger.get(await openLink(stranger, token));
    assert.equal(form.statusCode, 200);
    for (const secret of ['Hidden Ltd', owner2.email, owner2.firstName, 'Quartz']) assert.ok(!form.body.includes(secret), `no ${secret}`);
  });

  test('signed in to the web app, the same forms are prefilled with the attendee data', async () => {
    const attendee = await person('registered', 'Prefill GmbH');
    const browser = new Session(t.app);
    const { token } = await startAttendeeSession(t.db, t.ctx, { kind: 'app', orgId: org.orgId, eventId: event.id, participantId: attendee.id });
    browser.cookies.set(ATTENDEE_COOKIE, token);
    const page = await browser.get(`/e/${event.id}/forms/register`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('value="Prefill GmbH"'));
    assert.ok(page.body.includes(`value="${attendee.firstName}"`));
    const update = await browser.get(`/e/${event.id}/forms/your-company`);
    assert.ok(update.body.includes('value="Prefill GmbH"'), 'every form of the event, prefilled');
    const saved = await browser.post(`/e/${event.id}/forms/your-company`, { 'cf.company': 'Renamed GmbH' });
    assert.equal(saved.statusCode, 303);
    assert.equal((await getParticipant(t.db, org.orgId, event.id, attendee.id)).fields['company'], 'Renamed GmbH');
  });

  test('without a session an update form says to use the emailed link; the registration form sends to the public page', async () => {
    const anonymous = new Session(t.app);
    const update = await anonymous.get(`/e/${event.id}/forms/your-company`);
    assert.equal(update.statusCode, 403);
    assert.match(update.body, /Open it with the link in the email you received/);
    assert.ok(update.body.includes(`href="/app/${event.id}/sign-in"`), 'or sign in to the app');
    const register = await anonymous.get(`/e/${event.id}/forms/register`);
    assert.equal(register.statusCode, 303);
    assert.equal(register.headers.location, `/e/${event.id}/register`);
  });

  test('identity comes from the link: posting another participant email or id changes only the link owner', async () => {
    const holder = await person('imported', 'Holder Inc');
    const victim = await person('registered', 'Victim Inc');
    const { browser, location } = await followLink(holder, 'registration_link');
    const sent = await browser.post(location, {
      first_name: 'Mallory',
      last_name: 'M',
      'cf.company': 'Swapped',
      email: victim.email,
      participant_id: victim.id,
      participantId: victim.id,
      id: victim.id,
    });
    assert.equal(sent.statusCode, 303);
    const after = await getParticipant(t.db, org.orgId, event.id, holder.id);
    assert.deepEqual([after.email, after.firstName, after.fields['company']], [holder.email, 'Mallory', 'Swapped']);
    assert.deepEqual(await getParticipant(t.db, org.orgId, event.id, victim.id), victim, 'the other participant is untouched');
  });

  test('a form session opens only the form its link named', async () => {
    const p = await person('imported');
    const { browser } = await followLink(p, 'registration_link');
    const other = await browser.get(`/e/${event.id}/forms/your-company`);
    assert.equal(other.statusCode, 403);
    const rsvp = await browser.get(`/e/${event.id}/rsvp`);
    assert.equal(rsvp.statusCode, 403);
  });

  /** The response with what legitimately differs between two requests taken out. */
  function comparable(response: LightMyRequestResponse) {
    const headers = { ...response.headers };
    delete headers['date'];
    delete headers['set-cookie'];
    return { status: response.statusCode, headers, body: response.body };
  }

  test('the public page answers a known address exactly as a new one, and emails the known one its link', async () => {
    const imported = await person('imported', 'Known Imported');
    const visitor = new Session(t.app);
    const page = await visitor.get(`/e/${event.id}/register`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /name="cf.company"/);
    const form = (email: string) => ({ email, first_name: 'Ann', last_name: 'Other', 'cf.company': 'Typed Co' });
    const fresh = await visitor.post(`/e/${event.id}/register`, form('brand.new@example.org'));
    const known = await visitor.post(`/e/${event.id}/register`, form(imported.email.toUpperCase()));
    assert.deepEqual(comparable(known), comparable(fresh));
    assert.equal(fresh.statusCode, 303);
    assert.equal(fresh.headers.location, `/e/${event.id}/register/thanks`);
    const thanks = await visitor.get(fresh.headers.location as string);
    assert.match(thanks.body, /Check your inbox/);

    const created = await t.db.selectFrom('participants').selectAll().where('email', '=', 'brand.new@example.org').executeTakeFirstOrThrow();
    assert.equal(created.status, 'registered');
    assert.deepEqual(await getParticipant(t.db, org.orgId, event.id, imported.id), imported, 'nothing about the known person changed');
    assert.equal(await participantsWithEmail(imported.email), 1);

    await mail.drain();
    assert.match(mail.lastMailTo('brand.new@example.org').subject, /You are registered for Summit/);
    const notice = mail.lastMailTo(imported.email);
    assert.match(notice.subject, /Your registration for Summit/);
    // The imported person's link registers them: it opens the registration form.
    const browser = new Session(t.app);
    assert.equal(await openLink(browser, tokenIn(notice)), `/e/${event.id}/forms/register`);

    // A registered person typing their address gets the update link instead.
    const registered = await person('registered');
    await visitor.post(`/e/${event.id}/register`, form(registered.email));
    await mail.drain();
    assert.equal(await openLink(new Session(t.app), tokenIn(mail.lastMailTo(registered.email))), `/e/${event.id}/forms/your-company`);
  });

  test('with "tell known emails" on, a known address is told it is registered (and still gets its link, nothing else shown)', async () => {
    const known = await person('registered', 'Shown Nowhere');
    const saved = await owner.post(`/admin/o/${org.orgId}/events/${event.id}/forms/access`, { registration_open: 'on', tell_known_emails: 'on', rsvp_closes_at: '' });
    assert.equal(saved.statusCode, 303);
    const before = mail.mailsTo(known.email).length;
    const response = await new Session(t.app).post(`/e/${event.id}/register`, { email: known.email, first_name: 'X', last_name: 'Y', 'cf.company': 'Z' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /already registered for Summit/);
    for (const secret of ['Shown Nowhere', known.firstName]) assert.ok(!response.body.includes(secret));
    await mail.drain();
    assert.equal(mail.mailsTo(known.email).length, before + 1);
    await owner.post(`/admin/o/${org.orgId}/events/${event.id}/forms/access`, { registration_open: 'on', rsvp_closes_at: '' });
  });

  test('a refused registration shows each problem next to its field and keeps what was typed', async () => {
    const response = await new Session(t.app).post(`/e/${event.id}/register`, { email: 'not-an-email', first_name: 'Typed <First>', last_name: '', 'cf.company': '', 'cf.diet': 'Vegan' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /<span class="field-error" id="err-email">This is not a valid email address<\/span>/);
    assert.match(response.body, /id="err-last_name">Last name is required/);
    assert.match(response.body, /id="err-company">Company is required/);
    assert.ok(response.body.includes('value="Typed &lt;First>"'), 'the first name as typed');
    assert.ok(response.body.includes('value="not-an-email"'));
    assert.match(response.body, /<option value="Vegan" selected/);
  });

  test('closed registration shows a clear page and registers nobody', async () => {
    await owner.post(`/admin/o/${org.orgId}/events/${event.id}/forms/access`, { rsvp_closes_at: '' });
    const visitor = new Session(t.app);
    const home = await visitor.get(`/e/${event.id}`);
    assert.match(home.body, /Registration for Summit is closed/);
    assert.ok(!home.body.includes(`href="/e/${event.id}/register"`));
    const page = await visitor.get(`/e/${event.id}/register`);
    assert.match(page.body, /<h1>Registration closed<\/h1>/);
    const post = await visitor.post(`/e/${event.id}/register`, { email: 'late@example.org', first_name: 'L', last_name: 'Ate', 'cf.company': 'C' });
    assert.equal(post.statusCode, 403);
    assert.equal(await participantsWithEmail('late@example.org'), 0);
    await owner.post(`/admin/o/${org.orgId}/events/${event.id}/forms/access`, { registration_open: 'on', rsvp_closes_at: '' });
    assert.match((await visitor.get(`/e/${event.id}`)).body, /Register<\/a>/);
  });

  test('registration posts are rate limited per IP address', async () => {
    const post = () => t.app.inject({ method: 'POST', url: `/e/${event.id}/register`, remoteAddress: '192.0.2.77', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=x%40example.org' });
    for (let i = 0; i < 20; i++) assert.notEqual((await post()).statusCode, 429);
    const limited = await post();
    assert.equal(limited.statusCode, 429);
    const other = await t.app.inject({ method: 'POST', url: `/e/${event.id}/register`, remoteAddress: '192.0.2.78', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=x%40example.org' });
    assert.notEqual(other.statusCode, 429, 'another address is not affected');
  });

  test('a refusal on the event site (expired form, too many requests) is an attendee page, never a back-office one', async () => {
    const stale = await new Session(t.app).post(`/e/${event.id}/register`, { email: 'a@example.org' }, { csrf: false });
    assert.equal(stale.statusCode, 403);
    assert.match(stale.body, /<body class="attendee">/);
    assert.match(stale.body, /Form expired/);
    assert.ok(!stale.body.includes('/admin'), 'no link into the back-office');
  });
});
