import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing } from '../../../test/helpers/outbox.js';
import { mailKit, type MailKit } from '../../../test/helpers/secure-links.js';
import { addSponsor, addSponsorContact, sendPermalink, SPONSOR_COOKIE, sponsorBrowser, sponsorsPath } from '../../../test/helpers/sponsors.js';
import type { Event } from '../../modules/events/index.js';

let t: TestApp;
let org: Org;
let owner: Session;
let mail: MailKit;
let event: Event;
let acme: string;
let globex: string;
let acmeContact: string;

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');

async function sessionCount(): Promise<number> {
  const row = await t.db.selectFrom('sponsor_sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function multipart(name: string, filename: string, type: string, bytes: Buffer): { body: Buffer; contentType: string } {
  const boundary = '----tessera' + Math.random().toString(16).slice(2);
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`);
  return { body: Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(browser: Session, url: string, bytes: Buffer, type = 'image/png') {
  const csrf = await browser.csrf();
  const { body, contentType } = multipart('logo', 'logo.png', type, bytes);
  return t.app.inject({ method: 'POST', url: `${url}?_csrf=${encodeURIComponent(csrf)}`, headers: { accept: 'text/html', cookie: browser.cookieHeader(), 'content-type': contentType }, payload: body });
}

before(async () => {
  t = await createTestApp();
  org = await seedOrganisation(t);
  owner = await signedIn(t, org.ownerEmail);
  mail = await mailKit(t);
  event = (await seedMailing(t, org.orgId, [{ email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' }])).event;
  acme = await addSponsor(owner, org.orgId, event.id, 'Acme Corp', 'B12');
  globex = await addSponsor(owner, org.orgId, event.id, 'Globex', 'C3');
  acmeContact = await addSponsorContact(t, owner, org.orgId, event.id, acme, 'Wile Coyote', 'wile@acme.test');
});

after(async () => {
  await mail.close();
  await t.close();
});

describe('sponsor permalinks', () => {
  test('the permalink arrives by email; opening it (GET) opens no session, the button (POST) opens one on the sponsor profile', async () => {
    const token = await sendPermalink(mail, owner, org.orgId, event.id, acme, acmeContact, 'wile@acme.test');
    assert.match(token, /^tsr_spon_/);
    const stored = await t.db.selectFrom('credentials').selectAll().where('subject_id', '=', acmeContact).executeTakeFirstOrThrow();
    assert.equal(stored.purpose, 'sponsor');
    assert.equal(stored.single_use, 0);
    assert.ok(stored.expires_at > '9000', 'until revoked');

    const before = await sessionCount();
    const scanner = new Session(t.app);
    for (let i = 0; i < 3; i++) {
      const landing = await scanner.get(`/l/${token}`);
      assert.equal(landing.statusCode, 200);
      assert.match(landing.body, /sponsor profile/);
      assert.equal(landing.headers['set-cookie']?.toString().includes(SPONSOR_COOKIE) ?? false, false);
    }
    const head = await t.app.inject({ method: 'HEAD', url: `/l/${token}` });
    assert.equal(head.statusCode, 200);
    assert.equal(await sessionCount(), before, 'GET and HEAD open nothing');
    assert.equal(scanner.cookies.has(SPONSOR_COOKIE), false);

    const { browser, location } = await sponsorBrowser(t, token);
    assert.equal(location, `/sponsor/${acme}`);
    assert.equal(await sessionCount(), before + 1);
    const page = await browser.get(location);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Acme Corp/);
    assert.match(page.body, /B12/);
    assert.equal(page.headers['cache-control'], 'no-store');
    // Permalinks work many times: a second click opens a second session.
    await sponsorBrowser(t, token);
    assert.equal(await sessionCount(), before + 2);
  });

  test("the sponsor's edits are saved and audited with the sponsor contact as actor; the booth stays the organiser's", async () => {
    const token = await sendPermalink(mail, owner, org.orgId, event.id, acme, acmeContact, 'wile@acme.test');
    const { browser } = await sponsorBrowser(t, token);
    const saved = await browser.post(`/sponsor/${acme}`, {
      name: 'Acme Corporation',
      description: 'Anvils, rockets and giant magnets.',
      link_label: ['Website', ''],
      link_url: ['https://acme.test/', ''],
      booth: 'Z99',
    });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
    const row = await t.db.selectFrom('sponsors').selectAll().where('id', '=', acme).executeTakeFirstOrThrow();
    assert.equal(row.name, 'Acme Corporation');
    assert.equal(row.booth, 'B12', 'a sponsor cannot move its booth');
    assert.deepEqual(JSON.parse(row.links), [{ label: 'Website', url: 'https://acme.test/' }]);
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'sponsor.updated').where('target_id', '=', acme).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    assert.equal(entry.actor_type, 'sponsor');
    assert.equal(entry.actor_id, acmeContact);
    assert.equal(entry.actor_label, 'wile@acme.test');
    assert.deepEqual(JSON.parse(entry.data).changed.sort(), ['description', 'links', 'name']);

    const bad = await browser.post(`/sponsor/${acme}`, { name: '', link_label: 'x', link_url: 'javascript:alert(1)' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /https:\/\//);

    const logo = await upload(browser, `/sponsor/${acme}/logo`, PNG);
    assert.equal(logo.statusCode, 303, logo.body.slice(0, 300));
    const image = await browser.get(`/sponsor/${acme}/logo`);
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/png');
    assert.equal(image.headers['x-content-type-options'], 'nosniff');
    const svg = await upload(browser, `/sponsor/${acme}/logo`, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/png');
    assert.equal(svg.statusCode, 415);
    const big = await upload(browser, `/sponsor/${acme}/logo`, Buffer.concat([PNG, Buffer.alloc(300 * 1024)]));
    assert.equal(big.statusCode, 413);
    const logoAudit = await t.db.selectFrom('audit_log').select(['actor_type', 'actor_id']).where('action', '=', 'sponsor.logo_changed').executeTakeFirstOrThrow();
    assert.deepEqual(logoAudit, { actor_type: 'sponsor', actor_id: acmeContact });
  });

  test("another sponsor's profile, logo and forms answer 404 to a sponsor session", async () => {
    const token = await sendPermalink(mail, owner, org.orgId, event.id, acme, acmeContact, 'wile@acme.test');
    const { browser } = await sponsorBrowser(t, token);
    assert.equal((await browser.get(`/sponsor/${globex}`)).statusCode, 404);
    assert.equal((await browser.get(`/sponsor/${globex}/logo`)).statusCode, 404);
    assert.equal((await browser.post(`/sponsor/${globex}`, { name: 'Pwned' })).statusCode, 404);
    const row = await t.db.selectFrom('sponsors').select('name').where('id', '=', globex).executeTakeFirstOrThrow();
    assert.equal(row.name, 'Globex');
  });

  test('a revoked permalink is refused and the sessions it opened end on their next request', async () => {
    const contact = await addSponsorContact(t, owner, org.orgId, event.id, globex, 'Hank Scorpio', 'hank@globex.test');
    const token = await sendPermalink(mail, owner, org.orgId, event.id, globex, contact, 'hank@globex.test');
    const { browser } = await sponsorBrowser(t, token);
    assert.equal((await browser.get(`/sponsor/${globex}`)).statusCode, 200);
    const panel = await owner.get(`${sponsorsPath(org.orgId, event.id)}/${globex}`);
    assert.match(panel.body, /hank@globex\.test/);
    assert.doesNotMatch(panel.body, /tsr_spon_/, 'the back-office never shows the link');

    const revoked = await owner.post(`${sponsorsPath(org.orgId, event.id)}/${globex}/contacts/${contact}/revoke`, {});
    assert.equal(revoked.statusCode, 303);
    const after = await browser.get(`/sponsor/${globex}`);
    assert.equal(after.statusCode, 401);
    assert.match(after.body, /link from your email/);
    assert.equal((await browser.post(`/sponsor/${globex}`, { name: 'Too late' })).statusCode, 401);
    const landing = await new Session(t.app).get(`/l/${token}`);
    assert.equal(landing.statusCode, 410);
    assert.doesNotMatch(landing.body, /Email me a fresh link/);
    const clicked = await new Session(t.app).post(`/l/${token}`, {});
    assert.equal(clicked.statusCode, 410);
    assert.equal(clicked.headers['set-cookie']?.toString().includes(SPONSOR_COOKIE) ?? false, false);
    const sessions = await t.db.selectFrom('sponsor_sessions').select('id_hash').where('sponsor_contact_id', '=', contact).execute();
    assert.equal(sessions.length, 0);
  });

  test('a sponsor session is no staff session: the back-office sends it to the staff sign-in', async () => {
    const token = await sendPermalink(mail, owner, org.orgId, event.id, acme, acmeContact, 'wile@acme.test');
    const { browser } = await sponsorBrowser(t, token);
    const admin = await browser.get(`${sponsorsPath(org.orgId, event.id)}/${acme}`);
    assert.equal(admin.statusCode, 303);
    assert.match(admin.headers.location as string, /^\/admin\/login/);
    const api = await browser.get(`/api/v1/events/${event.id}`);
    assert.equal(api.statusCode, 401);
  });

  test('staff members see sponsors; only admins change them', async () => {
    const staff = await signedIn(t, (await seedStaff(t, org.orgId, 'staff')).email);
    assert.equal((await staff.get(sponsorsPath(org.orgId, event.id))).statusCode, 200);
    assert.equal((await staff.get(`${sponsorsPath(org.orgId, event.id)}/${acme}`)).statusCode, 200);
    assert.equal((await staff.post(`${sponsorsPath(org.orgId, event.id)}/${acme}`, { name: 'Nope' })).statusCode, 403);
    assert.equal((await staff.post(`${sponsorsPath(org.orgId, event.id)}/${acme}/contacts/${acmeContact}/send`, {})).statusCode, 403);
  });

  test('deleting a sponsor ends its sessions and its permalinks', async () => {
    const doomed = await addSponsor(owner, org.orgId, event.id, 'Initech', 'D1');
    const contact = await addSponsorContact(t, owner, org.orgId, event.id, doomed, 'Bill Lumbergh', 'bill@initech.test');
    const token = await sendPermalink(mail, owner, org.orgId, event.id, doomed, contact, 'bill@initech.test');
    const { browser } = await sponsorBrowser(t, token);
    const deleted = await owner.post(`${sponsorsPath(org.orgId, event.id)}/${doomed}/delete`, {});
    assert.equal(deleted.statusCode, 303);
    assert.equal((await browser.get(`/sponsor/${doomed}`)).statusCode, 401);
    assert.equal((await new Session(t.app).get(`/l/${token}`)).statusCode, 410);
  });
});
