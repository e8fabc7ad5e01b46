import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { startIdp, type TestIdp } from '../../../test/helpers/oidc-provider.js';
import { mailKit, type MailKit } from '../../../test/helpers/secure-links.js';
import type { ReceivedMail } from '../../../test/helpers/outbox.js';
import { CUSTOMER_COOKIE } from '../../http/customer-session.js';
import { systemActor } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { createContact, markEmailVerified } from '../../modules/contacts/index.js';
import { getOrganisation, updateOrganisation } from '../../modules/organisations/index.js';
import { createPointOfSale, createSalesChannel } from '../../modules/shop/index.js';

const SECRET = 'idp-client-secret-7Qw9';
const PASSWORD = 'Lantern-Orchid-42';
let ips = 0;
const ip = () => `198.51.100.${(ips += 1) % 250}`;

function verifyToken(mail: ReceivedMail): string {
  const match = /https:\/\/tessera\.test\/verify\/(tsr_[a-z]+_[a-z2-7]+)/.exec(mail.html);
  assert.ok(match?.[1], `a shop link in "${mail.subject}"`);
  return match[1];
}

describe('shop sign-in with an OpenID Connect provider (real provider on 127.0.0.1)', () => {
  let t: TestApp;
  let org: Org;
  let mail: MailKit;
  let idp: TestIdp;
  let shop: string;
  let providerId: string;
  let disabledId: string;
  let n = 0;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    mail = await mailKit(t);
    idp = await startIdp();
    const orgSlug = (await t.db.selectFrom('organisations').select('slug').where('id', '=', org.orgId).executeTakeFirstOrThrow()).slug;
    const channel = await createSalesChannel(t.db, t.ctx, systemActor, org.orgId, { name: 'Web', kind: 'internet_b2c' });
    await createPointOfSale(t.db, t.ctx, systemActor, org.orgId, { channelId: channel.id, name: 'Main shop', slug: 'main', heading: 'Acme Tickets', accent: '#aa3300' });
    shop = `/shop/${orgSlug}/main`;

    // The providers are configured through the back-office, as an admin would.
    const admin = await signedIn(t, org.ownerEmail);
    const base = `/admin/o/${org.orgId}/shops/sso`;
    const created = await admin.post(base, { name: 'Acme ID', issuer: idp.issuer, client_id: 'tessera-shop', client_secret: SECRET, enabled: '1' });
    assert.equal(created.statusCode, 303, created.body.slice(0, 500));
    assert.equal((await admin.post(base, { name: 'Old ID', issuer: idp.issuer, client_id: 'old', client_secret: 'old-secret' })).statusCode, 303);
    const rows = await t.db.selectFrom('sso_providers').select(['id', 'name']).where('org_id', '=', org.orgId).execute();
    providerId = rows.find((r) => r.name === 'Acme ID')!.id;
    disabledId = rows.find((r) => r.name === 'Old ID')!.id;
    idp.setClients([
      { clientId: 'tessera-shop', clientSecret: SECRET, redirectUris: [`https://tessera.test${shop}/sso/${providerId}/callback`] },
      { clientId: 'old', clientSecret: 'old-secret', redirectUris: [`https://tessera.test${shop}/sso/${disabledId}/callback`] },
    ]);
  });
  after(async () => {
    await idp?.close();
    await mail?.close();
    await t?.close();
  });

  const address = () => `sso${(n += 1)}@example.org`;
  const subject = () => `idp-user-${(n += 1)}`;

  /** The whole browser journey: shop → provider (login, consent) → callback. */
  async function ssoSignIn(sub: string, browser = new Session(t.app, { ip: ip() })) {
    const start = await browser.get(`${shop}/sso/${providerId}`);
    assert.equal(start.statusCode, 303, start.body.slice(0, 300));
    const back = await idp.authorize(String(start.headers.location), sub);
    assert.equal(back.origin, 'https://tessera.test');
    const response = await browser.get(back.pathname + back.search);
    return { response, browser };
  }

  async function contactOf(email: string) {
    return t.db.selectFrom('contacts').selectAll().where('org_id', '=', org.orgId).where('email_key', '=', canonicalEmail(email)!.key).executeTakeFirst();
  }
  const identitiesOf = (contactId: string) => t.db.selectFrom('sso_identities').selectAll().where('contact_id', '=', contactId).execute();

  async function verifiedContact(email: string): Promise<string> {
    const contact = await createContact(t.db, t.ctx, systemActor, org.orgId, { email: canonicalEmail(email)!, firstName: 'Vera', lastName: 'Verified', kind: 'individual' });
    await markEmailVerified(t.db, t.ctx, systemActor, org.orgId, contact.id, 'link');
    return contact.id;
  }

  test('the back-office keeps the client secret sealed and never shows it; the shop offers only enabled providers', async () => {
    const admin = await signedIn(t, org.ownerEmail);
    const page = await admin.get(`/admin/o/${org.orgId}/shops/sso`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Acme ID/);
    assert.ok(!page.body.includes(SECRET));
    assert.ok(!(await admin.get(`/admin/o/${org.orgId}/shops/sso/${providerId}`)).body.includes(SECRET));
    const row = await t.db.selectFrom('sso_providers').select('client_secret_sealed').where('id', '=', providerId).executeTakeFirstOrThrow();
    assert.ok(!row.client_secret_sealed.includes(SECRET) && !row.client_secret_sealed.includes(Buffer.from(SECRET).toString('base64url').slice(0, 8)));
    // Saving without a secret keeps the stored one (the sign-ins below still work).
    const saved = await admin.post(`/admin/o/${org.orgId}/shops/sso/${providerId}`, { name: 'Acme ID', issuer: idp.issuer, client_id: 'tessera-shop', client_secret: '', enabled: '1' });
    assert.equal(saved.statusCode, 303);
    const insecure = await admin.post(`/admin/o/${org.orgId}/shops/sso`, { name: 'Plain', issuer: 'http://idp.example.com', client_id: 'x', client_secret: 'y', enabled: '1' });
    assert.equal(insecure.statusCode, 400, 'an http issuer other than loopback is refused');

    for (const path of ['sign-in', 'sign-up']) {
      const body = (await new Session(t.app).get(`${shop}/${path}`)).body;
      assert.match(body, /Sign in with Acme ID/);
      assert.ok(!body.includes('Old ID'));
    }
    assert.equal((await new Session(t.app).get(`${shop}/sso/${disabledId}`)).statusCode, 404, 'a disabled provider cannot be used');
  });

  test('the flow starts with state, nonce and PKCE, and a redirect URI from the public URL whatever the Host header says', async () => {
    const browser = new Session(t.app, { ip: ip() });
    const start = await browser.get(`${shop}/sso/${providerId}`, { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
    assert.equal(start.statusCode, 303);
    const url = new URL(String(start.headers.location));
    assert.equal(url.origin, idp.issuer);
    assert.equal(url.searchParams.get('redirect_uri'), `https://tessera.test${shop}/sso/${providerId}/callback`);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(url.searchParams.get('state') && url.searchParams.get('nonce') && url.searchParams.get('code_challenge'));
    const cookie = String(([] as string[]).concat(start.headers['set-cookie'] ?? []).find((c) => c.startsWith('tessera_sso_flow=')));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, new RegExp(`Path=${shop}/sso/${providerId}`));
  });

  test('first sign-in of a new address creates a contact validated via sso; the identity then signs in the same contact', async () => {
    const sub = subject();
    const email = address();
    idp.accounts.set(sub, { email, email_verified: true, given_name: 'Sara', family_name: 'Single' });
    const { response, browser } = await ssoSignIn(sub);
    assert.equal(response.statusCode, 303, response.body.slice(0, 400));
    assert.equal(response.headers.location, shop);
    assert.ok(browser.cookies.has(CUSTOMER_COOKIE));
    assert.equal((await browser.get(`${shop}/account`)).statusCode, 200);
    const contact = await contactOf(email);
    assert.deepEqual([contact?.email_status, contact?.email_verified_via, contact?.kind, contact?.first_name, contact?.password_hash], ['verified', 'sso', 'individual', 'Sara', null]);
    assert.equal((await identitiesOf(contact!.id)).length, 1);

    // The provider changes the address: the identity (provider, subject) still leads to the same contact.
    idp.accounts.set(sub, { email: address(), email_verified: true });
    const { response: again, browser: other } = await ssoSignIn(sub);
    assert.equal(again.statusCode, 303);
    const session = await t.db.selectFrom('customer_sessions').select('contact_id').where('contact_id', '=', contact!.id).execute();
    assert.equal(session.length, 2);
    assert.ok(other.cookies.has(CUSTOMER_COOKIE));
  });

  test('an existing contact with a validated address is linked and signed in', async () => {
    const email = address();
    const contactId = await verifiedContact(email);
    const sub = subject();
    idp.accounts.set(sub, { email: email.toUpperCase(), email_verified: true });
    const { response, browser } = await ssoSignIn(sub);
    assert.equal(response.statusCode, 303);
    assert.equal((await browser.get(`${shop}/account`)).statusCode, 200);
    const identities = await identitiesOf(contactId);
    assert.deepEqual(identities.map((i) => i.subject), [sub]);
    assert.equal((await contactOf(email))?.email_verified_via, 'link', 'how it was validated is unchanged');
  });

  test('an identity whose email claim differs from a contact’s address is not linked to that contact', async () => {
    const email = address();
    const contactId = await verifiedContact(email);
    const sub = subject();
    const other = address();
    idp.accounts.set(sub, { email: other, email_verified: true });
    const { response } = await ssoSignIn(sub);
    assert.equal(response.statusCode, 303);
    assert.equal((await identitiesOf(contactId)).length, 0);
    const linked = await t.db.selectFrom('sso_identities').select('contact_id').where('subject', '=', sub).executeTakeFirstOrThrow();
    assert.equal(linked.contact_id, (await contactOf(other))!.id);
  });

  test('an address the provider does not vouch for (email_verified false or absent) creates nothing and signs nobody in', async () => {
    for (const claims of [{ email_verified: false }, {}]) {
      const sub = subject();
      const email = address();
      idp.accounts.set(sub, { email, ...claims });
      const { response, browser } = await ssoSignIn(sub);
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /has not confirmed your email address/);
      assert.ok(!browser.cookies.has(CUSTOMER_COOKIE));
      assert.equal(await contactOf(email), undefined);
      assert.equal((await t.db.selectFrom('sso_identities').select('subject').where('subject', '=', sub).execute()).length, 0);
    }
    // Nor is it linked to an existing validated contact with that address.
    const email = address();
    const contactId = await verifiedContact(email);
    const sub = subject();
    idp.accounts.set(sub, { email, email_verified: false });
    assert.equal((await ssoSignIn(sub)).response.statusCode, 403);
    assert.equal((await identitiesOf(contactId)).length, 0);
  });

  test('account pre-hijacking: an unvalidated account with the address is not linked; validating removes the attacker’s password, then SSO links', async () => {
    const victim = address();
    // The attacker signs up first with the victim's address and a password of their own.
    const attacker = new Session(t.app, { ip: ip() });
    assert.equal((await attacker.post(`${shop}/sign-up`, { email: victim, password: PASSWORD, first_name: 'Mal', last_name: 'Lory' })).statusCode, 200);
    const contactId = (await contactOf(victim))!.id;
    await mail.drain();
    const before = mail.mailsTo(victim).length;

    // The victim signs in with SSO: no link, no session, a verification email.
    const sub = subject();
    idp.accounts.set(sub, { email: victim, email_verified: true });
    const { response, browser } = await ssoSignIn(sub);
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /confirm your\s+address first, then sign in with Acme ID again/);
    assert.ok(!browser.cookies.has(CUSTOMER_COOKIE));
    assert.equal((await identitiesOf(contactId)).length, 0);
    assert.equal((await t.db.selectFrom('customer_sessions').select('contact_id').where('contact_id', '=', contactId).execute()).length, 0);
    await mail.drain();
    const mails = mail.mailsTo(victim);
    assert.equal(mails.length, before + 1);

    // The victim validates through the emailed link: the attacker's password is gone.
    const token = verifyToken(mails.at(-1)!);
    const landing = new Session(t.app);
    await landing.get(`/verify/${token}`);
    assert.equal((await landing.post(`/verify/${token}`, {})).statusCode, 303);
    const contact = await contactOf(victim);
    assert.deepEqual([contact?.email_status, contact?.password_hash], ['verified', null]);
    const attempt = await new Session(t.app, { ip: ip() }).post(`${shop}/sign-in`, { email: victim, password: PASSWORD });
    assert.equal(attempt.statusCode, 401, 'the attacker’s password no longer works');

    // Now the victim's SSO sign-in links and opens a session.
    const { response: linked, browser: victimBrowser } = await ssoSignIn(sub);
    assert.equal(linked.statusCode, 303);
    assert.equal((await victimBrowser.get(`${shop}/account`)).statusCode, 200);
    assert.deepEqual((await identitiesOf(contactId)).map((i) => i.subject), [sub]);
  });

  test('where validation is not required, the attacker’s open session ends when the owner validates through the SSO email', async () => {
    const organisation = await getOrganisation(t.db, org.orgId);
    const settings = (emailValidationRequired: boolean) =>
      updateOrganisation(t.db, t.ctx, systemActor, org.orgId, { name: organisation.name, settings: { ...organisation.settings, emailValidationRequired } });
    await settings(false);
    try {
      const victim = address();
      const attacker = new Session(t.app, { ip: ip() });
      await attacker.post(`${shop}/sign-up`, { email: victim, password: PASSWORD, first_name: 'Mal', last_name: 'Lory' });
      assert.equal((await attacker.post(`${shop}/sign-in`, { email: victim, password: PASSWORD })).statusCode, 303, 'no validation needed to enter');
      assert.equal((await attacker.get(`${shop}/account`)).statusCode, 200);

      const sub = subject();
      idp.accounts.set(sub, { email: victim, email_verified: true });
      const { response } = await ssoSignIn(sub);
      assert.equal(response.statusCode, 403, 'still not linked: the address was never proven to us');
      await mail.drain();
      const token = verifyToken(mail.lastMailTo(victim));
      const landing = new Session(t.app);
      await landing.get(`/verify/${token}`);
      assert.equal((await landing.post(`/verify/${token}`, {})).statusCode, 303);
      assert.equal((await attacker.get(`${shop}/account`)).statusCode, 401, 'the attacker’s session ended');
      assert.equal((await ssoSignIn(sub)).response.statusCode, 303);
    } finally {
      await settings(true);
    }
  });

  test('a callback without the browser that started it, or with another state, is refused', async () => {
    const sub = subject();
    const email = address();
    idp.accounts.set(sub, { email, email_verified: true });
    const starter = new Session(t.app, { ip: ip() });
    const start = await starter.get(`${shop}/sso/${providerId}`);
    const back = await idp.authorize(String(start.headers.location), sub);
    // Another browser (login CSRF: the attacker's code in the victim's browser).
    const stranger = new Session(t.app, { ip: ip() });
    const forged = await stranger.get(back.pathname + back.search);
    assert.equal(forged.statusCode, 400);
    assert.ok(!stranger.cookies.has(CUSTOMER_COOKIE));
    // The right browser with a changed state.
    const tampered = new URL(back);
    tampered.searchParams.set('state', 'not-the-state');
    const refused = await starter.get(tampered.pathname + tampered.search);
    assert.equal(refused.statusCode, 400);
    assert.ok(!starter.cookies.has(CUSTOMER_COOKIE));
    assert.equal(await contactOf(email), undefined);
  });

  test('a sealed client secret copied onto another provider does not open there', async () => {
    const sealed = (await t.db.selectFrom('sso_providers').select('client_secret_sealed').where('id', '=', providerId).executeTakeFirstOrThrow()).client_secret_sealed;
    await t.db.updateTable('sso_providers').set({ client_secret_sealed: sealed, enabled: 1 }).where('id', '=', disabledId).execute();
    const start = await new Session(t.app, { ip: ip() }).get(`${shop}/sso/${disabledId}`);
    assert.equal(start.statusCode, 503);
    assert.equal((await new Session(t.app, { ip: ip() }).get(`${shop}/sso/${providerId}`)).statusCode, 303);
  });
});
