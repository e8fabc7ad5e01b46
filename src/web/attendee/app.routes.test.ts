import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp, type TestSmtp } from '../../../test/helpers/outbox.js';
import { ATTENDEE_COOKIE, countRows, mailLink, setCookieNamed } from '../../../test/helpers/webapp.js';
import { systemActor } from '../../lib/context.js';
import { base32, hashToken } from '../../lib/tokens.js';
import { SESSION_LIMITS } from '../../modules/attendee-sessions/index.js';
import { expiryFor, mintCredential, revokeCredentials } from '../../modules/credentials/index.js';
import { createPreviewLink } from '../../modules/webapp/index.js';
import { updateParticipant, type Participant } from '../../modules/participants/index.js';

const TEMPLATE = { type: 'invitation' as const, name: 'App', subject: 'Your app for {{ event_name }}', html: '<p>Hello {{ first_name }}</p><p><a href="{{ webapp_link }}">Open the app</a></p>' };
const FIELDS = [
  { key: 'company', label: 'Company', type: 'text' as const },
  { key: 'diet', label: 'Diet', type: 'single_choice' as const, options: ['none', 'vegetarian'] },
];
const MINUTE = 60_000;

/** The same token body under another kind, with a valid checksum: a well-formed lie about its purpose. */
function relabel(token: string, kind: string): string {
  const body = /^tsr_[a-z]+_([a-z2-7]{32})/.exec(token)![1]!;
  const value = crc32(`${kind}_${body}`) >>> 0;
  return `tsr_${kind}_${body}${base32(Buffer.from([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]))}`;
}

describe('web app: magic link and app pages', () => {
  let t: TestApp;
  let org: Org;
  let smtp: TestSmtp;
  let eventA: Awaited<ReturnType<typeof seedMailing>>;
  let eventB: Awaited<ReturnType<typeof seedMailing>>;
  let ada: Participant;
  let grace: Participant;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    smtp = await startTestSmtp();
    eventA = await seedMailing(
      t,
      org.orgId,
      [
        { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace', fields: { company: 'Analytical Engines', diet: 'vegetarian' } },
        { email: 'grace@example.org', firstName: 'Grace', lastName: 'Hopper', fields: { company: 'Navy' } },
      ],
      TEMPLATE,
      FIELDS,
    );
    eventB = await seedMailing(t, org.orgId, [{ email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' }], TEMPLATE);
    [ada, grace] = eventA.participants as [Participant, Participant];
  });
  after(async () => {
    await smtp.close();
    await t.close();
  });

  /** A browser that received Ada's app link by email and pressed the landing page's button. */
  async function adaInApp(): Promise<{ browser: Session; token: string }> {
    const token = await mailLink(t, smtp, org.orgId, eventA.template.id, ada);
    const browser = new Session(t.app);
    const response = await browser.post(`/l/${token}`, {});
    assert.equal(response.statusCode, 303);
    return { browser, token };
  }

  test('opening a web app link (GET, HEAD) names whose app it opens and changes nothing', async () => {
    const token = await mailLink(t, smtp, org.orgId, eventA.template.id, ada);
    const sessions = await countRows(t, 'attendee_sessions');
    const page = await t.app.inject({ method: 'GET', url: `/l/${token}`, headers: { accept: 'text/html', 'user-agent': 'LinkScanner/1.0' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Continue as Ada L\./);
    assert.ok(page.body.includes(eventA.event.name), 'the event is named');
    assert.ok(!page.body.includes('Lovelace') && !page.body.includes('ada@example.org'), 'no more of her data than her first name and initial');
    const head = await t.app.inject({ method: 'HEAD', url: `/l/${token}`, headers: { 'user-agent': 'Preview-Bot/2.0' } });
    assert.equal(head.statusCode, 200);
    for (const response of [page, head]) assert.equal(setCookieNamed(response, ATTENDEE_COOKIE), undefined, 'no attendee session cookie');
    assert.equal(await countRows(t, 'attendee_sessions'), sessions, 'no session created');
    const stored = await t.db.selectFrom('credentials').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
    assert.deepEqual([stored.use_count, stored.consumed_at, stored.fetch_count, stored.last_fetch_agent], [0, null, 2, 'Preview-Bot/2.0'], 'fetches are counted, nothing is used');
  });

  test('the button opens an app session and moves the token out of the URL', async () => {
    const token = await mailLink(t, smtp, org.orgId, eventA.template.id, ada);
    const browser = new Session(t.app);
    const response = await browser.post(`/l/${token}`, {});
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/app/${eventA.event.id}`);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    const cookie = setCookieNamed(response, ATTENDEE_COOKIE);
    assert.ok(cookie, 'the attendee cookie is set');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.ok(!cookie.includes(token), 'the cookie is a session id, not the link');
    const credential = await t.db.selectFrom('credentials').select(['id', 'expires_at']).where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
    const session = await t.db.selectFrom('attendee_sessions').selectAll().where('credential_id', '=', credential.id).executeTakeFirstOrThrow();
    assert.deepEqual([session.kind, session.event_id, session.participant_id, session.staff_id], ['app', eventA.event.id, ada.id, null]);
    assert.ok(session.expires_at <= credential.expires_at, 'the session never outlives its link');
  });

  test("the app shows the attendee's own profile, registration and event, with its menu", async () => {
    const { browser } = await adaInApp();
    const home = await browser.get(`/app/${eventA.event.id}`);
    assert.equal(home.statusCode, 200);
    assert.equal(home.headers['cache-control'], 'no-store');
    for (const text of ['Ada Lovelace', 'ada@example.org', 'Registered', 'Analytical Engines', 'vegetarian', eventA.event.name, '14 Sept 2026']) {
      assert.ok(home.body.includes(text), `shows ${text}`);
    }
    assert.ok(!home.body.includes('Grace') && !home.body.includes('Navy'), "nobody else's data");
    assert.match(home.body, /href="\/app\/[0-9a-z]{26}"[^>]*>Home</);
    assert.match(home.body, />Edit my details</);
    assert.match(home.body, /action="\/app\/[0-9a-z]{26}\/sign-out"/);
    assert.ok(!home.body.includes('data-testid="preview-banner"'), 'no preview banner for the attendee');
  });

  test('the attendee edits names and custom fields, never the email address', async () => {
    const { browser } = await adaInApp();
    const base = `/app/${eventA.event.id}`;
    const form = await browser.get(`${base}/edit`);
    assert.equal(form.statusCode, 200);
    assert.ok(form.body.includes('value="Analytical Engines"'), 'the form is prefilled for the signed-in attendee');
    assert.ok(!/name="email"/.test(form.body), 'no email input');
    const saved = await browser.post(`${base}/edit`, { first_name: 'Augusta Ada', last_name: 'King', 'cf.company': 'Babbage & Co', 'cf.diet': 'none' });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, base);
    const row = await t.db.selectFrom('participants').selectAll().where('id', '=', ada.id).executeTakeFirstOrThrow();
    assert.deepEqual([row.first_name, row.last_name, row.email, row.status], ['Augusta Ada', 'King', 'ada@example.org', 'registered']);
    assert.deepEqual(JSON.parse(row.field_values), { company: 'Babbage & Co', diet: 'none' });
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'participant.updated').where('target_id', '=', ada.id).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual([entry.actor_type, entry.actor_id], ['attendee', ada.id]);

    const sneaky = await browser.post(`${base}/edit`, { first_name: 'Ada', last_name: 'King', email: 'mallory@example.org' });
    assert.equal(sneaky.statusCode, 400, 'an email field is not part of the form');
    const invalid = await browser.post(`${base}/edit`, { first_name: 'Ada', last_name: 'King', 'cf.diet': 'carnivore' });
    assert.equal(invalid.statusCode, 400);
    assert.ok(invalid.body.includes('value="King"'), 'the form comes back with what was typed');
    const after = await t.db.selectFrom('participants').select(['email', 'first_name']).where('id', '=', ada.id).executeTakeFirstOrThrow();
    assert.deepEqual(after, { email: 'ada@example.org', first_name: 'Augusta Ada' });
    await updateParticipant(t.db, t.ctx, systemActor, org.orgId, eventA.event.id, ada.id, { firstName: 'Ada', lastName: 'Lovelace', fields: { company: 'Analytical Engines', diet: 'vegetarian' } });
  });

  test('sign out ends the session and clears the cookie', async () => {
    const { browser } = await adaInApp();
    const base = `/app/${eventA.event.id}`;
    const cookie = browser.cookies.get(ATTENDEE_COOKIE)!;
    const out = await browser.post(`${base}/sign-out`, {});
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, `${base}/sign-in?out=1`);
    assert.match(setCookieNamed(out, ATTENDEE_COOKIE) ?? '', /Expires=Thu, 01 Jan 1970|Max-Age=0/i);
    assert.equal(await t.db.selectFrom('attendee_sessions').select('id_hash').where('id_hash', '=', hashToken(cookie)).executeTakeFirst(), undefined);
    const replay = await t.app.inject({ method: 'GET', url: base, headers: { accept: 'text/html', cookie: `${ATTENDEE_COOKIE}=${cookie}` } });
    assert.equal(replay.statusCode, 303, 'the old cookie value opens nothing');
    const page = await browser.get(`${base}/sign-in?out=1`);
    assert.match(page.body, /You are signed out/);
  });

  test('unauthenticated and wrong-event requests go to that event’s sign-in page', async () => {
    const a = `/app/${eventA.event.id}`;
    const b = `/app/${eventB.event.id}`;
    const anonymous = new Session(t.app);
    for (const path of [a, `${a}/edit`]) {
      const response = await anonymous.get(path);
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, `${a}/sign-in`);
    }
    assert.equal((await anonymous.post(`${a}/edit`, { first_name: 'X', last_name: 'Y' })).headers.location, `${a}/sign-in`);
    const page = await anonymous.get(`${a}/sign-in`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`Sign in to ${eventA.event.name}`));
    assert.equal((await t.app.inject({ method: 'HEAD', url: `${a}/sign-in` })).statusCode, 200);
    assert.equal((await anonymous.get('/app/00000000000000000000000000/sign-in')).statusCode, 404);
    assert.equal((await anonymous.get('/app/not-an-id')).statusCode, 404);

    // Ada's link for event A opens event A only, although she is a participant of B as well.
    const { browser } = await adaInApp();
    const other = await browser.get(b);
    assert.equal(other.statusCode, 303);
    assert.equal(other.headers.location, `${b}/sign-in`);
    assert.equal((await browser.get(`${b}/edit`)).headers.location, `${b}/sign-in`);
    assert.equal((await browser.get(a)).statusCode, 200, 'event A still works: another event’s page does not end the session');
  });

  test('a form or preview token, or one lying about its purpose, never opens the app', async () => {
    const now = t.clock.now();
    const subject = { type: 'participant' as const, id: ada.id, email: ada.email };
    const form = await mintCredential(t.db, t.ctx, { purpose: 'form', orgId: org.orgId, eventId: eventA.event.id, subject, expiresAt: expiryFor({ purpose: 'form', now, event: eventA.event }), singleUse: false, data: { form: 'update' } });
    const browser = new Session(t.app);
    await browser.post(`/l/${form.token}`, {});
    assert.equal((await browser.get(`/app/${eventA.event.id}`)).statusCode, 303, 'whatever a form link opens, it is not the app');
    assert.equal(await t.db.selectFrom('attendee_sessions').select('id_hash').where('credential_id', '=', form.credential.id).where('kind', '!=', 'form').executeTakeFirst(), undefined);

    // A form token relabelled as a web app token: well-formed, checksum right, but not a web app credential.
    const relabelled = relabel(form.token, 'app');
    assert.equal((await t.app.inject({ method: 'GET', url: `/l/${relabelled}`, headers: { accept: 'text/html' } })).statusCode, 404);
    // A web app-looking token whose stored credential is for a form: the stored purpose decides.
    const webappLooking = await mintCredential(t.db, t.ctx, { purpose: 'webapp', orgId: org.orgId, eventId: eventA.event.id, subject, expiresAt: expiryFor({ purpose: 'webapp', now, event: eventA.event }), singleUse: false });
    await t.db.updateTable('credentials').set({ purpose: 'form' }).where('id', '=', webappLooking.credential.id).execute();
    const sessions = await countRows(t, 'attendee_sessions');
    assert.equal((await t.app.inject({ method: 'GET', url: `/l/${webappLooking.token}`, headers: { accept: 'text/html' } })).statusCode, 404);
    assert.equal((await browser.post(`/l/${webappLooking.token}`, {})).statusCode, 404);

    // A staff preview token without the staff session that asked for it.
    const preview = await createPreviewLink(t.db, t.ctx, { type: 'staff', id: org.ownerId, label: null, ip: null }, eventA.event, ada);
    const refused = await browser.post(`/l/${preview}`, {});
    assert.equal(refused.statusCode, 404);
    assert.match(refused.body, /This link cannot be used/);
    assert.equal(await countRows(t, 'attendee_sessions'), sessions, 'no session of any kind');
    const stored = await t.db.selectFrom('credentials').select(['use_count', 'consumed_at']).where('token_hash', '=', hashToken(preview)).executeTakeFirstOrThrow();
    assert.deepEqual(stored, { use_count: 0, consumed_at: null });
  });

  test('a revoked link fails on the very next request and ends the session it opened', async () => {
    const { browser, token } = await adaInApp();
    const base = `/app/${eventA.event.id}`;
    assert.equal((await browser.get(base)).statusCode, 200);
    const credential = await t.db.selectFrom('credentials').select('id').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
    await revokeCredentials(t.db, t.ctx, systemActor, org.orgId, { id: credential.id, reason: 'test' });
    const next = await browser.get(base);
    assert.equal(next.statusCode, 303);
    assert.equal(next.headers.location, `${base}/sign-in`);
    assert.equal(await t.db.selectFrom('attendee_sessions').select('id_hash').where('credential_id', '=', credential.id).executeTakeFirst(), undefined, 'its session is gone');
    const again = await new Session(t.app).post(`/l/${token}`, {});
    assert.equal(again.statusCode, 410);
    assert.match(again.body, /This web app link for .* has been replaced or withdrawn/);
  });

  test('an app session ends after 12 idle hours, and after 14 days however active', async () => {
    const idle = SESSION_LIMITS.app.idleMinutes * MINUTE;
    const base = `/app/${eventA.event.id}`;
    const start = t.clock.now();
    try {
      const { browser } = await adaInApp();
      t.clock.advance(idle - MINUTE);
      assert.equal((await browser.get(base)).statusCode, 200, 'just inside the idle limit');
      t.clock.advance(idle - MINUTE);
      assert.equal((await browser.get(base)).statusCode, 200, 'each visit restarts the idle clock');
      t.clock.advance(idle + MINUTE);
      assert.equal((await browser.get(base)).statusCode, 303, 'idle too long');

      const active = (await adaInApp()).browser;
      const opened = t.clock.now().getTime();
      const absolute = SESSION_LIMITS.app.absoluteMinutes * MINUTE;
      while (t.clock.now().getTime() + 6 * 60 * MINUTE < opened + absolute) {
        t.clock.advance(6 * 60 * MINUTE);
        assert.equal((await active.get(base)).statusCode, 200);
      }
      t.clock.set(new Date(opened + absolute));
      assert.equal((await active.get(base)).statusCode, 303, 'past the absolute limit, however active');
    } finally {
      t.clock.set(start);
    }
  });

  test('the app is for registered attendees: other statuses get no session, and lose theirs', async () => {
    const { browser } = await adaInApp();
    const base = `/app/${eventA.event.id}`;
    await updateParticipant(t.db, t.ctx, systemActor, org.orgId, eventA.event.id, grace.id, { status: 'declined' });
    const graceLink = await mailLink(t, smtp, org.orgId, eventA.template.id, { ...grace, status: 'declined' });
    const refused = await new Session(t.app).post(`/l/${graceLink}`, {});
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /open to registered attendees/);
    assert.equal(setCookieNamed(refused, ATTENDEE_COOKIE), undefined);

    await updateParticipant(t.db, t.ctx, systemActor, org.orgId, eventA.event.id, ada.id, { status: 'cancelled' });
    try {
      assert.equal((await browser.get(base)).statusCode, 303, 'a cancelled attendee is signed out at the next request');
    } finally {
      await updateParticipant(t.db, t.ctx, systemActor, org.orgId, eventA.event.id, ada.id, { status: 'registered' });
    }
  });
});
