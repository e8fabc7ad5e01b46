import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { Session } from '../../test/helpers/browser-session.js';
import { PASSWORD, seedOrganisation, signedIn, type Org } from '../../test/helpers/fixtures.js';
import { issueSetupToken } from '../modules/setup/index.js';

describe('staff sign-in and sessions', () => {
  let t: TestApp;
  let org: Org;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
  });
  after(() => t.close());

  test('a signed-in owner reaches the back-office with an HttpOnly, SameSite session cookie', async () => {
    const session = new Session(t.app);
    const response = await session.post('/admin/login', { email: org.ownerEmail, password: PASSWORD });
    assert.equal(response.statusCode, 303);
    const cookie = response.cookies.find((c) => c.name === 'tessera_staff');
    assert.ok(cookie);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.secure, true, 'public URL is https, so the cookie is Secure');
    const page = await session.get('/admin');
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, `/admin/o/${org.orgId}/events`);
  });

  test('unknown email and wrong password get the same answer', async () => {
    const unknown = await new Session(t.app).post('/admin/login', { email: 'nobody@example.org', password: PASSWORD });
    const wrong = await new Session(t.app).post('/admin/login', { email: org.ownerEmail, password: 'wrong password!' });
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    const strip = (html: string) => html.replace(/name="_csrf" value="[^"]+"/, '');
    assert.equal(strip(unknown.body), strip(wrong.body));
    assert.equal(unknown.cookies.some((c) => c.name === 'tessera_staff'), false);
  });

  test('every sign-in gets a new session id and logout kills the session on the server', async () => {
    const first = await signedIn(t, org.ownerEmail);
    const firstCookie = first.cookies.get('tessera_staff');
    const second = await signedIn(t, org.ownerEmail);
    assert.notEqual(second.cookies.get('tessera_staff'), firstCookie);

    const stolen = first.cookieHeader();
    const out = await first.post('/admin/logout', {});
    assert.equal(out.statusCode, 303);
    const replay = await t.app.inject({ method: 'GET', url: '/admin', headers: { cookie: stolen, accept: 'application/json' } });
    assert.equal(replay.statusCode, 401, 'the old cookie no longer opens a session');
  });

  test('a session ends after the idle timeout', async () => {
    const session = await signedIn(t, org.ownerEmail);
    t.clock.advance((t.config.sessionIdleMinutes + 1) * 60_000);
    const response = await session.get('/admin');
    assert.equal(response.statusCode, 303);
    assert.match(String(response.headers.location), /^\/admin\/login/);
  });

  test('a session ends at its absolute timeout even when used constantly', async () => {
    const session = await signedIn(t, org.ownerEmail);
    const steps = Math.ceil((t.config.sessionAbsoluteHours * 60) / 30) + 1;
    let last = 0;
    for (let i = 0; i < steps; i++) {
      t.clock.advance(30 * 60_000);
      last = (await session.get('/admin')).statusCode;
    }
    const response = await session.get('/admin');
    assert.equal(last, 303);
    assert.match(String(response.headers.location), /^\/admin\/login/);
  });

  test('a form POST without its CSRF token is refused', async () => {
    const session = await signedIn(t, org.ownerEmail);
    const response = await session.post('/admin/logout', {}, { csrf: false });
    assert.equal(response.statusCode, 403);
    assert.equal((await session.get('/admin')).statusCode, 303, 'still signed in');
  });

  test('pages carry security headers', async () => {
    const response = await new Session(t.app).get('/admin/login');
    assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
  });

  test('staff sign-in is rate limited per client', async () => {
    const session = new Session(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      statuses.push((await session.post('/admin/login', { email: 'x@example.org', password: 'nope nope nope' })).statusCode);
    }
    assert.ok(statuses.includes(429));
  });
});

describe('first-run setup link', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('the setup link works once, GET changes nothing, and no link is issued once set up', async () => {
    const token = await issueSetupToken(t.db, t.ctx);
    assert.ok(token);
    const browser = new Session(t.app);
    assert.equal((await browser.get(`/setup/${token}`)).statusCode, 200);
    assert.equal((await browser.get(`/setup/${token}`)).statusCode, 200, 'fetching the link twice consumes nothing');
    const fields = { organisationName: 'First Org', name: 'Ada', email: 'ada@example.org', password: PASSWORD };
    const created = await browser.post(`/setup/${token}`, fields);
    assert.equal(created.statusCode, 303);
    assert.match(String(created.headers.location), /^\/admin\/o\/[0-9a-z]{26}\/events$/);
    const again = await new Session(t.app).post(`/setup/${token}`, { ...fields, email: 'eve@example.org' });
    assert.equal(again.statusCode, 410);
    assert.equal(await issueSetupToken(t.db, t.ctx), null);
  });

  test('an expired setup link is refused', async () => {
    const fresh = await createTestApp();
    try {
      const token = await issueSetupToken(fresh.db, fresh.ctx);
      fresh.clock.advance(61 * 60_000);
      const response = await new Session(fresh.app).post(`/setup/${token}`, { organisationName: 'X', name: 'X', email: 'x@example.org', password: PASSWORD });
      assert.equal(response.statusCode, 410);
    } finally {
      await fresh.close();
    }
  });
});
