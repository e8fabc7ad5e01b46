import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, type Org } from '../../../test/helpers/fixtures.js';
import { mailKit, type MailKit } from '../../../test/helpers/secure-links.js';
import type { ReceivedMail } from '../../../test/helpers/outbox.js';
import { systemActor } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { changeEmailByOperator } from '../../modules/customers/index.js';
import { createEvent } from '../../modules/events/index.js';
import { createPointOfSale, createSalesChannel, type PointOfSale } from '../../modules/shop/index.js';
import { CUSTOMER_COOKIE } from '../../http/customer-session.js';

const PASSWORD = 'Lantern-Orchid-42';
const HOUR = 3_600_000;
let ips = 0;
const ip = () => `192.0.2.${(ips += 1) % 250}`;

function verifyToken(mail: ReceivedMail): string {
  const match = /https:\/\/tessera\.test\/verify\/(tsr_[a-z]+_[a-z2-7]+)/.exec(mail.html);
  assert.ok(match?.[1], `a shop link in "${mail.subject}"`);
  return match[1];
}

describe('shop accounts and email validation', () => {
  let t: TestApp;
  let org: Org;
  let mail: MailKit;
  let pos: PointOfSale;
  let shop: string;
  let orgSlug: string;
  let n = 0;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    mail = await mailKit(t);
    orgSlug = (await t.db.selectFrom('organisations').select('slug').where('id', '=', org.orgId).executeTakeFirstOrThrow()).slug;
    const channel = await createSalesChannel(t.db, t.ctx, systemActor, org.orgId, { name: 'Web', kind: 'internet_b2c' });
    pos = await createPointOfSale(t.db, t.ctx, systemActor, org.orgId, { channelId: channel.id, name: 'Main shop', slug: 'main', heading: 'Acme Tickets', accent: '#aa3300' });
    shop = `/shop/${orgSlug}/main`;
    await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: 'Autumn Gala', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris', status: 'published' });
  });
  after(async () => {
    await mail.close();
    await t.close();
  });

  const address = () => `customer${(n += 1)}@example.org`;

  async function signUp(email: string, browser = new Session(t.app, { ip: ip() })) {
    return browser.post(`${shop}/sign-up`, { email, password: PASSWORD, first_name: 'Cleo', last_name: 'Customer' });
  }

  async function signIn(email: string, password = PASSWORD, browser = new Session(t.app, { ip: ip() })) {
    const response = await browser.post(`${shop}/sign-in`, { email, password });
    return { response, browser };
  }

  async function verificationOf(email: string): Promise<string> {
    await mail.drain();
    return verifyToken(mail.lastMailTo(email));
  }

  async function verifiedAccount(): Promise<string> {
    const email = address();
    await signUp(email);
    const token = await verificationOf(email);
    const browser = new Session(t.app);
    await browser.get(`/verify/${token}`);
    assert.equal((await browser.post(`/verify/${token}`, {})).statusCode, 303);
    return email;
  }

  test('the shop shows its branding and the organisation’s upcoming events', async () => {
    const page = await new Session(t.app).get(shop);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Acme Tickets/);
    assert.match(page.body, /Autumn Gala/);
    const theme = await t.app.inject({ method: 'GET', url: `${shop}/theme.css` });
    assert.match(theme.body, /--accent:#aa3300/);
    assert.equal((await new Session(t.app).get(`/shop/${orgSlug}/nope`)).statusCode, 404);
  });

  test('sign-up, validation by the emailed link, then sign-in: GET shows the page, POST validates once', async () => {
    const email = address();
    const answer = await signUp(email);
    assert.equal(answer.statusCode, 200);
    assert.match(answer.body, /Check your inbox/);
    const { response: early } = await signIn(email);
    assert.equal(early.statusCode, 403, 'cannot enter the shop before validating');
    assert.match(early.body, /Confirm your email address first/);

    const token = await verificationOf(email);
    const scanner = await t.app.inject({ method: 'GET', url: `/verify/${token}` });
    assert.equal(scanner.statusCode, 200);
    assert.equal((await t.app.inject({ method: 'HEAD', url: `/verify/${token}` })).statusCode, 200);
    const cookieless = await t.app.inject({ method: 'GET', url: `/verify/${token}`, headers: { 'user-agent': 'LinkScanner' } });
    assert.match(cookieless.body, /Confirm my email address/, 'still valid after GET and HEAD');

    const browser = new Session(t.app);
    await browser.get(`/verify/${token}`);
    const confirmed = await browser.post(`/verify/${token}`, {});
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, `${shop}/verified`);
    assert.match((await browser.get(`${shop}/verified`)).body, /Your email address is confirmed/);
    const again = await new Session(t.app).post(`/verify/${token}`, {});
    assert.equal(again.statusCode, 410, 'a verification link works once');

    const { response: signedIn, browser: customer } = await signIn(email);
    assert.equal(signedIn.statusCode, 303);
    assert.ok(customer.cookies.has(CUSTOMER_COOKIE));
    const contact = await t.db.selectFrom('contacts').select(['email_status', 'email_verified_via']).where('email', '=', email).executeTakeFirstOrThrow();
    assert.deepEqual(contact, { email_status: 'verified', email_verified_via: 'link' });
  });

  test('a verification link fails after expiry', async () => {
    const email = address();
    await signUp(email);
    const token = await verificationOf(email);
    t.clock.advance(24 * HOUR + 1000);
    const browser = new Session(t.app);
    assert.equal((await browser.get(`/verify/${token}`)).statusCode, 410);
    assert.equal((await browser.post(`/verify/${token}`, {})).statusCode, 410);
  });

  test('a verification link fails once the address changed, and cannot validate another contact', async () => {
    const email = address();
    await signUp(email);
    const token = await verificationOf(email);
    const contactId = (await t.db.selectFrom('contacts').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    const other = address();
    await t.db.transaction().execute((trx) => changeEmailByOperator(trx, t.ctx, systemActor, org.orgId, contactId, { email: other, posId: pos.id }));
    const browser = new Session(t.app);
    assert.equal((await browser.post(`/verify/${token}`, {})).statusCode, 410, 'bound to the exact address');
    const status = await t.db.selectFrom('contacts').select('email_status').where('id', '=', contactId).executeTakeFirstOrThrow();
    assert.equal(status.email_status, 'unverified');
    // The new address's own link works, and only for this contact.
    const fresh = await verificationOf(other);
    assert.equal((await browser.post(`/verify/${fresh}`, {})).statusCode, 303);
    const others = await t.db.selectFrom('contacts').select('id').where('email_status', '=', 'verified').where('id', '!=', contactId).execute();
    assert.ok(others.every((c) => c.id !== contactId));
  });

  test('sign-up, sign-in and forgot-password answer the same for known and unknown addresses', async () => {
    const known = await verifiedAccount();
    const unknown = address();
    const strip = (body: string, email: string) => body.replace(/name="_csrf" value="[^"]+"/g, '').replaceAll(email, 'EMAIL');
    const [upKnown, upUnknown] = [await signUp(known), await signUp(unknown)];
    assert.equal(upKnown.statusCode, upUnknown.statusCode);
    assert.equal(strip(upKnown.body, known), strip(upUnknown.body, unknown));
    await mail.drain();
    assert.match(mail.lastMailTo(known).subject, /already have an account/, 'the owner is told by email');

    const [inKnown, inUnknown] = [(await signIn(known, 'Wrong-Password-9')).response, (await signIn(unknown + 'x', 'Wrong-Password-9')).response];
    assert.equal(inKnown.statusCode, 401);
    assert.equal(strip(inKnown.body, known), strip(inUnknown.body, unknown + 'x'));

    const browser = new Session(t.app, { ip: ip() });
    const [fKnown, fUnknown] = [await browser.post(`${shop}/forgot`, { email: known }), await browser.post(`${shop}/forgot`, { email: `${unknown}y` })];
    assert.equal(strip(fKnown.body, known), strip(fUnknown.body, `${unknown}y`));
  });

  test('after a customer changes their email, every older session cookie gets 401 and the old address is told', async () => {
    const email = await verifiedAccount();
    const { browser: phone } = await signIn(email);
    const { browser: laptop } = await signIn(email);
    assert.equal((await phone.get(`${shop}/account`)).statusCode, 200);
    const fresh = address();
    const changed = await laptop.post(`${shop}/account/email`, { email: fresh, password: PASSWORD });
    assert.equal(changed.statusCode, 200, changed.body.slice(0, 400));
    assert.equal((await phone.get(`${shop}/account`)).statusCode, 401);
    assert.equal((await laptop.get(`${shop}/account`)).statusCode, 303, 'this browser was signed out too (no cookie left)');
    await mail.drain();
    assert.match(mail.lastMailTo(email).subject, /was changed/);
    const { response } = await signIn(fresh);
    assert.equal(response.statusCode, 403, 'the new address must be validated first');
  });

  test('an operator’s email change sends a verification email and the current session continues', async () => {
    const email = await verifiedAccount();
    const { browser } = await signIn(email);
    const contactId = (await t.db.selectFrom('contacts').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    const fresh = address();
    await t.db.transaction().execute((trx) => changeEmailByOperator(trx, t.ctx, systemActor, org.orgId, contactId, { email: fresh, posId: pos.id }));
    assert.equal((await browser.get(`${shop}/account`)).statusCode, 200);
    assert.ok(await verificationOf(fresh));
  });

  test('sign-in attempts are limited per account and per IP', async () => {
    const email = await verifiedAccount();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await signIn(email, `Wrong-${i}-Password`)).response.statusCode);
    assert.equal(statuses.at(-1), 429, 'per account, from many addresses');
    assert.equal((await signIn(email)).response.statusCode, 429, 'even the right password waits');

    // The per-IP count runs before anything else: malformed attempts (no password, so no hashing
    // to wait for) count as much as real ones.
    const from = new Session(t.app, { ip: '198.18.0.9' });
    const answers: number[] = [];
    for (let i = 0; i < 60; i++) answers.push((await from.post(`${shop}/sign-in`, { email: `nobody${i}@example.org` })).statusCode);
    assert.ok(answers.every((s) => s === 400));
    assert.equal((await from.post(`${shop}/sign-in`, { email: 'nobody@example.org', password: 'Some-Password-1' })).statusCode, 429, 'per IP, over many accounts');
  });

  test('guests register for an event without an account and without validation', async () => {
    const events = await t.db.selectFrom('events').select('id').where('org_id', '=', org.orgId).execute();
    const guest = new Session(t.app, { ip: ip() });
    const email = address();
    const response = await guest.post(`${shop}/events/${events[0]!.id}/guest`, { email, first_name: 'Gus', last_name: 'Guest' });
    assert.equal(response.statusCode, 200, response.body.slice(0, 300));
    const participant = await t.db.selectFrom('participants').select('status').where('email', '=', canonicalEmail(email)!.email).executeTakeFirstOrThrow();
    assert.equal(participant.status, 'registered');
  });

  test('a customer connects friends & family; an unvalidated one gets a warning and a validation email on request, never a block', async () => {
    const email = await verifiedAccount();
    const { browser } = await signIn(email);
    const friend = address();
    assert.equal((await browser.post(`${shop}/account/friends`, { friend_email: friend, friend_first_name: 'Fern', friend_last_name: 'Friend' })).statusCode, 303);
    const page = await browser.get(`${shop}/account`);
    assert.match(page.body, /data-testid="friend-unvalidated"/);
    const friendId = (await t.db.selectFrom('contacts').select('id').where('email', '=', friend).executeTakeFirstOrThrow()).id;
    assert.equal((await browser.post(`${shop}/account/friends/${friendId}/validation`, {})).statusCode, 303);
    assert.ok(await verificationOf(friend), 'the friend got the validation email');
    const event = (await t.db.selectFrom('events').select('id').where('org_id', '=', org.orgId).executeTakeFirstOrThrow()).id;
    assert.equal((await browser.post(`${shop}/events/${event}/register`, {})).statusCode, 303, 'nothing is blocked');
  });

  test('a signed-in customer registers with one click', async () => {
    const email = await verifiedAccount();
    const { browser } = await signIn(email);
    const event = (await t.db.selectFrom('events').select('id').where('org_id', '=', org.orgId).executeTakeFirstOrThrow()).id;
    assert.equal((await browser.post(`${shop}/events/${event}/register`, {})).statusCode, 303);
    assert.match((await browser.get(`${shop}/events/${event}`)).body, /You are registered/);
  });
});
