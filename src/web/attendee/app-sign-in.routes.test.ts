import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp, type TestSmtp } from '../../../test/helpers/outbox.js';
import { ATTENDEE_COOKIE, countRows, deliver, linkToken, setCookieNamed } from '../../../test/helpers/webapp.js';
import { systemActor } from '../../lib/context.js';
import { hashToken } from '../../lib/tokens.js';
import { createParticipant, updateParticipant, type Participant } from '../../modules/participants/index.js';
import { SIGNIN_LIMITS } from './app-sign-in.routes.js';

const MINUTE = 60_000;

describe('web app sign-in page: email me a sign-in link', () => {
  let t: TestApp;
  let org: Org;
  let smtp: TestSmtp;
  let seeded: Awaited<ReturnType<typeof seedMailing>>;
  let ada: Participant;
  let path: string;
  let ip = 0;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    smtp = await startTestSmtp();
    seeded = await seedMailing(t, org.orgId, [
      { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' },
      { email: 'dora@example.org', firstName: 'Dora', lastName: 'Declined' },
    ]);
    ada = seeded.participants[0]!;
    await updateParticipant(t.db, t.ctx, systemActor, org.orgId, seeded.event.id, seeded.participants[1]!.id, { status: 'declined' });
    path = `/app/${seeded.event.id}/sign-in`;
  });
  after(async () => {
    await smtp.close();
    await t.close();
  });
  // Each test asks from its own IP address, so one test's requests do not count against another's.
  beforeEach(() => {
    ip += 1;
  });

  /** A browser on its own IP address asking for a sign-in link. */
  async function ask(email: string, from = `198.51.100.${ip}`) {
    const browser = new Session(t.app);
    const csrf = await browser.csrf();
    return t.app.inject({
      method: 'POST',
      url: path,
      remoteAddress: from,
      headers: { accept: 'text/html', cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, email }).toString(),
    });
  }

  // The per-address limit counts in real time, not on the test clock: each test signs in as
  // someone of its own.
  async function newAttendee(name: string): Promise<Participant> {
    return createParticipant(t.db, t.ctx, systemActor, org.orgId, seeded.event.id, { email: `${name.toLowerCase()}-${ip}@example.org`, firstName: name, lastName: 'Tester' });
  }

  /** Asks for a participant's link and returns the token of the email that the worker then sends. */
  async function linkFor(participant: Participant): Promise<string> {
    assert.equal((await ask(participant.email)).statusCode, 200);
    const sent = await deliver(t, smtp);
    assert.equal(sent.length, 1);
    return linkToken(sent[0]!);
  }

  test('known, unknown and not-registered addresses get the same page; only the registered attendee gets mail', async () => {
    const outbox = await countRows(t, 'outbox');
    const answers = [];
    for (const email of ['ADA@example.org', 'nobody@example.org', 'dora@example.org']) {
      const response = await ask(email);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['cache-control'], 'no-store');
      answers.push(response.body.replace(/[\w.]+@example\.org/gi, 'ADDRESS'));
    }
    assert.match(answers[0]!, new RegExp(`If ADDRESS is registered for ${seeded.event.name}, a sign-in link is on its way`));
    assert.equal(answers[1], answers[0], 'unknown address: same page');
    assert.equal(answers[2], answers[0], 'declined participant: same page');
    assert.equal(await countRows(t, 'outbox'), outbox + 1, 'one message, for the registered attendee');
    const audited = await t.db.selectFrom('audit_log').select(['target_id', 'data', 'ip']).where('action', '=', 'app.signin_link_requested').execute();
    const seen = audited.map((e) => `${e.target_id ?? '-'} ${String(JSON.parse(e.data).sent)}`).sort();
    assert.deepEqual(seen, ['- false', '- false', `${ada.id} true`].sort(), 'every request is audited, no address stored');
    assert.ok(audited.every((e) => e.ip?.startsWith('198.51.100.') && !e.data.includes('@')));

    const sent = await deliver(t, smtp);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.rcptTo, ['ada@example.org'], 'sent to the address on file');
    assert.equal(sent[0]!.subject, `Your sign-in link for ${seeded.event.name}`);
    assert.match(linkToken(sent[0]!), /^tsr_sign_/);
    const template = await t.db.selectFrom('email_templates').select('name').where('org_id', '=', org.orgId).where('name', '=', 'Web app sign-in link (built-in)').executeTakeFirst();
    assert.ok(template, 'the built-in template was installed for the organiser to adapt');
  });

  test('the sign-in link opens the app once', async () => {
    const token = await linkFor(ada);
    const landing = await new Session(t.app).get(`/l/${token}`);
    assert.equal(landing.statusCode, 200);
    assert.ok(landing.body.includes(`Sign in to ${seeded.event.name}`));
    assert.match(landing.body, /Sign in as Ada L\./);

    const browser = new Session(t.app);
    const used = await browser.post(`/l/${token}`, {});
    assert.equal(used.statusCode, 303);
    assert.equal(used.headers.location, `/app/${seeded.event.id}`);
    assert.match(setCookieNamed(used, ATTENDEE_COOKIE) ?? '', /HttpOnly/i);
    assert.equal((await browser.get(`/app/${seeded.event.id}`)).statusCode, 200);

    const sessions = await countRows(t, 'attendee_sessions');
    const again = await new Session(t.app).post(`/l/${token}`, {});
    assert.equal(again.statusCode, 410);
    assert.match(again.body, /This sign-in link for .* has already been used/);
    assert.ok(again.body.includes(`href="${path}"`), 'points to the sign-in page for a new one');
    assert.equal(setCookieNamed(again, ATTENDEE_COOKIE), undefined);
    assert.equal(await countRows(t, 'attendee_sessions'), sessions);
  });

  test('the link expires 10 minutes after it is sent, not after it is asked for', async () => {
    const start = t.clock.now();
    try {
      const ida = await newAttendee('Ida');
      assert.equal((await ask(ida.email)).statusCode, 200);
      t.clock.advance(5 * MINUTE);
      const sent = await deliver(t, smtp);
      const token = linkToken(sent[0]!);
      const stored = await t.db.selectFrom('credentials').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
      assert.equal(stored.expires_at, new Date(start.getTime() + 15 * MINUTE).toISOString());
      assert.deepEqual([stored.single_use, stored.purpose], [1, 'signin']);
      t.clock.advance(10 * MINUTE);
      const late = await new Session(t.app).post(`/l/${token}`, {});
      assert.equal(late.statusCode, 410);
      assert.match(late.body, /has expired/);
    } finally {
      t.clock.set(start);
    }
  });

  test('asking again kills the earlier unused link', async () => {
    const eve = await newAttendee('Eve');
    const first = await linkFor(eve);
    const second = await linkFor(eve);
    const old = await new Session(t.app).post(`/l/${first}`, {});
    assert.equal(old.statusCode, 410);
    assert.match(old.body, /has been replaced or withdrawn/);
    assert.equal((await new Session(t.app).post(`/l/${second}`, {})).statusCode, 303);
  });

  test('rate limits: a few links per address whoever asks, and a ceiling per IP address', async () => {
    const { max } = SIGNIN_LIMITS.perAddress;
    const rita = await newAttendee('Rita');
    for (const email of [rita.email, 'ghost@example.org']) {
      // From a different IP each time: the limit follows the address, and unknown addresses count too.
      for (let i = 0; i < max; i++) assert.equal((await ask(email, `203.0.113.${i + 1}`)).statusCode, 200);
      const refused = await ask(email.toUpperCase(), '203.0.113.200');
      assert.equal(refused.statusCode, 429);
      assert.match(refused.body, /Several sign-in links were asked for this address/);
      assert.ok(Number(refused.headers['retry-after']) > 0);
    }
    await deliver(t, smtp);
    const toRita = await t.db.selectFrom('outbox').select('id').where('to_email', '=', rita.email).execute();
    assert.equal(toRita.length, max, 'no mail for the refused request');

    const from = '192.0.2.77';
    for (let i = 0; i < SIGNIN_LIMITS.perIp.max; i++) assert.equal((await ask(`someone${i}@example.org`, from)).statusCode, 200);
    assert.equal((await ask('one-more@example.org', from)).statusCode, 429, 'the IP address is over its ceiling');
    assert.equal((await ask('one-more@example.org', '192.0.2.78')).statusCode, 200, 'other IP addresses are not affected');
  });

  test('an address that is not one gets the form back', async () => {
    const response = await ask('not an address');
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Enter one valid email address/);
    assert.ok(response.body.includes('value="not an address"'));
  });
});
