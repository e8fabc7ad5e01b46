import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { codeSignIn, mailedCode } from '../../../test/helpers/access-codes.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp, type TestSmtp } from '../../../test/helpers/outbox.js';
import { ATTENDEE_COOKIE, deliver, linkToken, setCookieNamed } from '../../../test/helpers/webapp.js';
import { systemActor } from '../../lib/context.js';
import { CREDENTIALS_ACTION, LOCK_THRESHOLD, regenerateCode, resendCredentials } from '../../modules/access-codes/index.js';
import { CODE_SIGNIN_LIMITS } from './access-code.routes.js';
import { enqueueEmail, templateForAction } from '../../modules/emailing/index.js';
import { createParticipant, type Participant } from '../../modules/participants/index.js';

const MINUTE = 60_000;
let ips = 0;
const nextIp = () => `198.51.100.${(ips += 1) % 250}`;

describe('email + access code sign-in', () => {
  let t: TestApp;
  let org: Org;
  let smtp: TestSmtp;
  const logLines: string[] = [];
  let eventA: string;
  let eventB: string;
  let ada: Participant;
  let adaInB: Participant;
  let adaCode: string;

  before(async () => {
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({ logStream });
    org = await seedOrganisation(t);
    smtp = await startTestSmtp();
    const a = await seedMailing(t, org.orgId, [{ email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' }]);
    const b = await seedMailing(t, org.orgId, [{ email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' }]);
    [eventA, eventB] = [a.event.id, b.event.id];
    ada = a.participants[0]!;
    adaInB = b.participants[0]!;
    adaCode = await mailedCode(t, smtp, org.orgId, ada);
  });
  after(async () => {
    await smtp.close();
    await t.close();
  });

  async function attendee(email: string): Promise<Participant> {
    return createParticipant(t.db, t.ctx, systemActor, org.orgId, eventA, { email, firstName: 'Test', lastName: 'Person', status: 'registered' });
  }

  test('a generated code has 9 characters from an alphabet without look-alikes, grouped as XXX-XXX-XXX', () => {
    assert.match(adaCode, /^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);
  });

  test('the right code signs in, typed in lower case and without dashes; the sign-in is counted as access_code', async () => {
    const response = await codeSignIn(t, eventA, 'ada@example.org', adaCode.toLowerCase().replaceAll('-', ' '), nextIp());
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/app/${eventA}`);
    assert.ok(setCookieNamed(response, ATTENDEE_COOKIE));
    const signIns = await t.db.selectFrom('sign_ins').selectAll().where('participant_id', '=', ada.id).execute();
    assert.deepEqual(signIns.map((s) => s.method), ['access_code']);
  });

  test("the same person has a different code in each event, and event A's code fails on event B", async () => {
    const codeB = await mailedCode(t, smtp, org.orgId, adaInB);
    assert.notEqual(codeB, adaCode);
    assert.equal((await codeSignIn(t, eventB, 'ada@example.org', adaCode, nextIp())).statusCode, 401);
    assert.equal((await codeSignIn(t, eventB, 'ada@example.org', codeB, nextIp())).statusCode, 303);
  });

  test('resending credentials sends the same code again', async () => {
    assert.equal(await mailedCode(t, smtp, org.orgId, ada), adaCode);
  });

  test('Alice@Example.COM and alice@example.com are one participant with one failure counter', async () => {
    const alice = await attendee('alice@example.com');
    const code = await mailedCode(t, smtp, org.orgId, alice);
    for (let i = 0; i < LOCK_THRESHOLD / 2; i++) assert.equal((await codeSignIn(t, eventA, 'Alice@Example.COM', 'WRONG-CODE-1', nextIp())).statusCode, 401);
    for (let i = 0; i < LOCK_THRESHOLD / 2; i++) assert.equal((await codeSignIn(t, eventA, 'alice@example.com', 'WRONG-CODE-2', nextIp())).statusCode, 401);
    assert.equal((await codeSignIn(t, eventA, 'ALICE@example.com', code, nextIp())).statusCode, 401, 'locked after ten failures over both spellings');
    const row = await t.db.selectFrom('access_codes').select(['failures', 'locked_until']).where('participant_id', '=', alice.id).executeTakeFirstOrThrow();
    assert.equal(row.failures, LOCK_THRESHOLD);
  });

  test('after 10 consecutive failures the right code waits, and each further failure doubles the wait', async () => {
    const bob = await attendee('bob@example.org');
    const code = await mailedCode(t, smtp, org.orgId, bob);
    for (let i = 0; i < LOCK_THRESHOLD; i++) await codeSignIn(t, eventA, bob.email, 'NOT-THE-CODE', nextIp());
    assert.equal((await codeSignIn(t, eventA, bob.email, code, nextIp())).statusCode, 401, 'locked for a minute');
    t.clock.advance(MINUTE + 1000);
    assert.equal((await codeSignIn(t, eventA, bob.email, 'STILL-WRONG', nextIp())).statusCode, 401);
    t.clock.advance(MINUTE + 1000);
    assert.equal((await codeSignIn(t, eventA, bob.email, code, nextIp())).statusCode, 401, 'the 11th failure locked for two minutes');
    t.clock.advance(MINUTE);
    assert.equal((await codeSignIn(t, eventA, bob.email, code, nextIp())).statusCode, 303);
    const row = await t.db.selectFrom('access_codes').select(['failures', 'locked_until']).where('participant_id', '=', bob.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { failures: 0, locked_until: null }, 'a successful code sign-in resets the counter');
  });

  test('a new or resent code never resets the failure count', async () => {
    const cleo = await attendee('cleo@example.org');
    await mailedCode(t, smtp, org.orgId, cleo);
    for (let i = 0; i < LOCK_THRESHOLD; i++) await codeSignIn(t, eventA, cleo.email, 'NOT-THE-CODE', nextIp());
    await regenerateCode(t.db, t.ctx, systemActor, org.orgId, eventA, cleo.id);
    const fresh = await mailedCode(t, smtp, org.orgId, cleo);
    assert.equal((await codeSignIn(t, eventA, cleo.email, fresh, nextIp())).statusCode, 401, 'still locked with the new code');
    const row = await t.db.selectFrom('access_codes').select('failures').where('participant_id', '=', cleo.id).executeTakeFirstOrThrow();
    assert.equal(row.failures, LOCK_THRESHOLD);
  });

  test('when an attacker has locked the code path, the owner still signs in through an emailed sign-in link', async () => {
    const dan = await attendee('dan@example.org');
    await mailedCode(t, smtp, org.orgId, dan);
    for (let i = 0; i < LOCK_THRESHOLD + 2; i++) await codeSignIn(t, eventA, dan.email, 'ATTACKER-GUESS', nextIp());
    const browser = new Session(t.app, { ip: nextIp() });
    const asked = await browser.post(`/app/${eventA}/sign-in`, { email: dan.email });
    assert.equal(asked.statusCode, 200);
    const mail = (await deliver(t, smtp)).find((m) => m.rcptTo.includes(dan.email));
    assert.ok(mail, 'a sign-in link was sent');
    const landing = `/l/${linkToken(mail)}`;
    await browser.get(landing);
    const opened = await browser.post(landing, {});
    assert.equal(opened.statusCode, 303);
    assert.equal((await browser.get(`/app/${eventA}`)).statusCode, 200);
  });

  test('unknown email, wrong code and locked account get the same status and the same page', async () => {
    const eve = await attendee('eve@example.org');
    await mailedCode(t, smtp, org.orgId, eve);
    const locked = await attendee('locked@example.org');
    for (let i = 0; i < LOCK_THRESHOLD; i++) await codeSignIn(t, eventA, locked.email, 'NOT-THE-CODE', nextIp());
    const answers = [
      await codeSignIn(t, eventA, 'nobody@example.org', 'ABC-DEF-GHJ', nextIp()),
      await codeSignIn(t, eventA, eve.email, 'ABC-DEF-GHJ', nextIp()),
      await codeSignIn(t, eventA, locked.email, 'ABC-DEF-GHJ', nextIp()),
    ];
    const normalised = answers.map((r, i) => r.body.replace(/name="_csrf" value="[^"]+"/g, '').replaceAll(['nobody@example.org', eve.email, locked.email][i]!, 'EMAIL'));
    assert.deepEqual(answers.map((r) => r.statusCode), [401, 401, 401]);
    assert.equal(normalised[1], normalised[0]);
    assert.equal(normalised[2], normalised[0]);
  });

  test('50 concurrent wrong codes on one participant evaluate no more than the limit', async () => {
    const fay = await attendee('fay@example.org');
    const code = await mailedCode(t, smtp, org.orgId, fay);
    const guesses = Array.from({ length: 50 }, (_, i) => codeSignIn(t, eventA, fay.email, i === 49 ? code : `GUESS-${i}-XX`, nextIp()));
    const answers = await Promise.all(guesses);
    assert.ok(answers.slice(0, 49).every((r) => r.statusCode === 401));
    const row = await t.db.selectFrom('access_codes').select(['failures', 'locked_until']).where('participant_id', '=', fay.id).executeTakeFirstOrThrow();
    // Every attempt that was evaluated counted first; the rest found the code locked.
    assert.ok(row.failures <= LOCK_THRESHOLD && row.failures >= LOCK_THRESHOLD - 1, `evaluated ${row.failures}`);
  });

  test('a credentials email that reaches someone not registered carries no code and draws none', async () => {
    const invited = await createParticipant(t.db, t.ctx, systemActor, org.orgId, eventA, { email: 'ivan@example.org', firstName: 'Ivan', lastName: 'Vited', status: 'invited' });
    const template = await templateForAction(t.db, t.ctx, org.orgId, eventA, CREDENTIALS_ACTION);
    await enqueueEmail(t.db, t.ctx, { orgId: org.orgId, eventId: eventA, templateId: template.id, category: 'transactional', recipient: { kind: 'participant', id: invited.id, email: invited.email, name: 'Ivan Vited' }, data: {} });
    const mail = (await deliver(t, smtp)).find((m) => m.rcptTo.includes(invited.email));
    assert.ok(mail);
    assert.match(mail.html, /once your registration is confirmed/);
    assert.equal(await t.db.selectFrom('access_codes').select('participant_id').where('participant_id', '=', invited.id).executeTakeFirst(), undefined);
  });

  test('a database dump holds no code in clear, and no log line does', async () => {
    const tables = ['access_codes', 'sign_ins', 'outbox', 'audit_log', 'credentials', 'participants', 'attendee_sessions', 'email_templates'];
    const dump: string[] = [];
    for (const table of tables) dump.push(JSON.stringify((await sql`select * from ${sql.table(table)}`.execute(t.db)).rows));
    const all = dump.join('\n') + logLines.join('\n');
    for (const form of [adaCode, adaCode.replaceAll('-', ''), adaCode.toLowerCase()]) assert.equal(all.includes(form), false, `found ${form.length}-character code form`);
    assert.ok(logLines.length > 0, 'the log was captured');
  });
});

describe('changing the access code', () => {
  let t: TestApp;
  let org: Org;
  let smtp: TestSmtp;
  let eventId: string;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    smtp = await startTestSmtp();
    eventId = (await seedMailing(t, org.orgId, [])).event.id;
  });
  after(async () => {
    await smtp.close();
    await t.close();
  });

  async function signedInAttendee(email: string) {
    const p = await createParticipant(t.db, t.ctx, systemActor, org.orgId, eventId, { email, firstName: 'Gil', lastName: 'Bert', status: 'registered' });
    const code = await mailedCode(t, smtp, org.orgId, p);
    const browser = new Session(t.app, { ip: nextIp() });
    const page = await browser.get(`/app/${eventId}/sign-in`);
    assert.match(page.body, /code-sign-in/);
    const response = await browser.post(`/app/${eventId}/code-sign-in`, { email, code });
    assert.equal(response.statusCode, 303);
    return { p, code, browser };
  }

  test('the attendee changes their code after confirming the current one; the old code stops working and other sessions end', async () => {
    const { p, code, browser } = await signedInAttendee('gil@example.org');
    const other = new Session(t.app, { ip: nextIp() });
    assert.equal((await other.post(`/app/${eventId}/code-sign-in`, { email: p.email, code })).statusCode, 303);
    const wrong = await browser.post(`/app/${eventId}/access-code`, { current: 'NOT-IT-AT-ALL', code: 'Blue7Harbour9', repeat: 'Blue7Harbour9' });
    assert.equal(wrong.statusCode, 400);
    const changed = await browser.post(`/app/${eventId}/access-code`, { current: code, code: 'Blue7Harbour9', repeat: 'Blue7Harbour9' });
    assert.equal(changed.statusCode, 303);
    assert.equal((await browser.get(`/app/${eventId}`)).statusCode, 200, 'this browser stays signed in');
    assert.equal((await other.get(`/app/${eventId}`)).statusCode, 303, 'the other device is signed out');
    assert.equal((await codeSignIn(t, eventId, p.email, code, nextIp())).statusCode, 401);
    assert.equal((await codeSignIn(t, eventId, p.email, 'blue7 harbour9', nextIp())).statusCode, 303);
    const row = await t.db.selectFrom('access_codes').select(['origin', 'sealed']).where('participant_id', '=', p.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { origin: 'attendee', sealed: null }, 'a chosen code is never stored reversibly');
  });

  test('an organiser who sets or regenerates a code signs the attendee out of the app', async () => {
    const { p, browser } = await signedInAttendee('ora@example.org');
    await regenerateCode(t.db, t.ctx, systemActor, org.orgId, eventId, p.id);
    assert.equal((await browser.get(`/app/${eventId}`)).statusCode, 303, 'back to the sign-in page');
  });

  test('short, common, trivial and taken codes are refused', async () => {
    const { browser, code: current } = await signedInAttendee('hal@example.org');
    const { code: taken } = await signedInAttendee('ivy@example.org');
    for (const bad of ['short1', 'password123', '12345678', 'AAAAAAAA', 'qwertyuiop', 'summit 2026', taken]) {
      const response = await browser.post(`/app/${eventId}/access-code`, { current, code: bad, repeat: bad });
      assert.equal(response.statusCode, 400, bad.length > 12 ? 'taken code' : bad);
      assert.doesNotMatch(response.body, new RegExp(bad.replaceAll('-', '\\-'), 'i'), 'the typed code is not echoed');
    }
  });

  test('a set-code link opens the change page, which then needs no current code', async () => {
    const p = await createParticipant(t.db, t.ctx, systemActor, org.orgId, eventId, { email: 'jo@example.org', firstName: 'Jo', lastName: 'March', status: 'registered' });
    const { browser } = { browser: new Session(t.app, { ip: nextIp() }) };
    // The attendee chose a code, so resending sends a set-code link instead.
    const first = await signedInAttendee('jo2@example.org');
    await first.browser.post(`/app/${eventId}/access-code`, { current: first.code, code: 'Green5Meadow3', repeat: 'Green5Meadow3' });
    const result = await resendCredentials(t.db, t.ctx, systemActor, org.orgId, eventId, [first.p.id, p.id]);
    assert.deepEqual(result, { codes: 1, setCodeLinks: 1, skipped: 0 });
    const mail = (await deliver(t, smtp)).find((m) => m.rcptTo.includes(first.p.email));
    assert.ok(mail);
    assert.doesNotMatch(mail.html, /Green5Meadow3/i);
    const landing = `/l/${linkToken(mail)}`;
    assert.equal((await browser.get(landing)).statusCode, 200);
    const opened = await browser.post(landing, {});
    assert.equal(opened.statusCode, 303);
    assert.equal(opened.headers.location, `/app/${eventId}/access-code`);
    const page = await browser.get(`/app/${eventId}/access-code`);
    assert.doesNotMatch(page.body, /name="current"/);
    assert.equal((await browser.post(`/app/${eventId}/access-code`, { code: 'Amber4Valley8', repeat: 'Amber4Valley8' })).statusCode, 303);
    assert.equal((await codeSignIn(t, eventId, first.p.email, 'Amber4Valley8', nextIp())).statusCode, 303);
  });
});

describe('code sign-in limits per IP and overall', () => {
  let t: TestApp;
  let eventId: string;

  before(async () => {
    // The overall limit set low so that a handful of clients reach it.
    t = await createTestApp({ env: { TESSERA_CODE_SIGNIN_PER_MINUTE: '20' } });
    const org = await seedOrganisation(t);
    eventId = (await seedMailing(t, org.orgId, [{ email: 'pia@example.org', firstName: 'Pia', lastName: 'Limit' }])).event.id;
  });
  after(async () => {
    await t.close();
  });

  /** A POST as the sign-in form sends it, from `ip`, without fetching the page first. */
  async function attempt(ip: string, csrf: { token: string; cookie: string }) {
    return t.app.inject({
      method: 'POST',
      url: `/app/${eventId}/code-sign-in`,
      remoteAddress: ip,
      headers: { accept: 'text/html', cookie: csrf.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf.token, email: 'pia@example.org', code: 'NOT-HER-CODE' }).toString(),
    });
  }

  async function csrfFor(ip: string) {
    const page = await t.app.inject({ method: 'GET', url: `/app/${eventId}/sign-in`, remoteAddress: ip, headers: { accept: 'text/html' } });
    return { token: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '', cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join('; ') };
  }

  test('one IP address gets 429 after its per-minute allowance, whoever it tries', async () => {
    const ip = '203.0.113.200';
    const csrf = await csrfFor(ip);
    // Malformed attempts (no code field) count as much as real ones, and cost nothing to send.
    for (let i = 0; i < CODE_SIGNIN_LIMITS.perIp.max; i++) {
      await t.app.inject({ method: 'POST', url: `/app/${eventId}/code-sign-in`, remoteAddress: ip, headers: { cookie: csrf.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(csrf.token)}` });
    }
    assert.equal((await attempt(ip, csrf)).statusCode, 429);
  });

  test('attempts from many addresses together stop at the overall limit (TESSERA_CODE_SIGNIN_PER_MINUTE)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const ip = `198.51.100.${100 + i}`;
      statuses.push((await attempt(ip, await csrfFor(ip))).statusCode);
    }
    assert.ok(statuses.slice(0, 20).every((s) => s === 401), statuses.join(','));
    assert.equal(statuses[20], 429);
  });
});
