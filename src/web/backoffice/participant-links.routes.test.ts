import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp, testWorker, transportTo, type TestSmtp } from '../../../test/helpers/outbox.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { systemActor, type Actor } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { findTokens } from '../../lib/tokens.js';
import { resolveAttendeeSession, startAttendeeSession } from '../../modules/attendee-sessions/index.js';
import { expiryFor, mintCredential, redeemCredential, type CredentialPurpose } from '../../modules/credentials/index.js';
import { createCampaign, getCampaign, startCampaign } from '../../modules/emailing/index.js';
import type { Event } from '../../modules/events/index.js';
import type { MailTransport } from '../../modules/mail-transport/index.js';
import type { Participant } from '../../modules/participants/index.js';
import { registerPersonalLinkTag } from '../../modules/personal-links/index.js';
import { genericLinks } from './event-links.routes.js';

// A personal link tag as the web app capability registers it, under a name of this test's own.
registerPersonalLinkTag({ name: 'links_test_app_link', description: 'Web app link (test)', purpose: 'webapp' });

const TEMPLATE = { type: 'custom' as const, name: 'Invite template', subject: 'Your app', html: '<p>Hello {{ first_name }}, <a href="{{ links_test_app_link }}">open the app</a></p>' };
const visitor: Actor = { type: 'anonymous', id: null, label: null, ip: '198.51.100.1' };

let t: TestApp;
let org: Org;
let owner: Session;
let staff: Session;
/** Ada's own browser, where she clicks her link. */
let adaBrowser: Session;
let smtp: TestSmtp;
let transport: MailTransport;
let event: Event;
let ada: Participant;
let bob: Participant;
/** Raw links as their owners received them, by email address. */
const inbox = new Map<string, string[]>();

before(async () => {
  t = await createTestApp();
  org = await seedOrganisation(t);
  owner = await signedIn(t, org.ownerEmail);
  staff = await signedIn(t, (await seedStaff(t, org.orgId, 'staff')).email);
  adaBrowser = new Session(t.app);
  smtp = await startTestSmtp();
  transport = transportTo(t, smtp);
  const seeded = await seedMailing(
    t,
    org.orgId,
    [
      { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' },
      { email: 'bob@example.org', firstName: 'Bob', lastName: 'Babbage' },
    ],
    TEMPLATE,
  );
  event = seeded.event;
  [ada, bob] = seeded.participants as [Participant, Participant];
  // The links are sent the real way: a campaign, the outbox worker, SMTP.
  const audience = { ids: [], statuses: [], fields: {}, q: '' };
  const draft = await createCampaign(t.db, t.ctx, systemActor, org.orgId, event.id, { name: 'Spring invite', templateId: seeded.template.id, audience });
  const campaign = await getCampaign(t.db, org.orgId, event.id, draft.id);
  assert.ok(await t.db.transaction().execute((trx) => startCampaign(trx, t.ctx, t.dialect, systemActor, campaign)));
  while ((await testWorker(t, transport).runOnce()).claimed > 0);
  for (const mail of smtp.received) inbox.set(mail.rcptTo[0]!, findTokens(mail.html));
  assert.equal(inbox.get('ada@example.org')?.length, 1);
});
after(async () => {
  await transport.close();
  await smtp.close();
  await t.close();
});

const participantPage = (p: Participant) => `/admin/o/${org.orgId}/events/${event.id}/participants/${p.id}`;
const linksPanel = () => `/admin/o/${org.orgId}/events/${event.id}/links`;

async function works(token: string, purpose: CredentialPurpose = 'webapp'): Promise<boolean> {
  try {
    await redeemCredential(t.db, t.ctx, visitor, token, { purposes: [purpose], eventId: event.id });
    return true;
  } catch (err) {
    if (err instanceof DomainError && err.code === 'link_invalid') return false;
    throw err;
  }
}

async function mintFor(p: Participant, purpose: CredentialPurpose, extra: { issuedBy?: string; singleUse?: boolean } = {}) {
  return mintCredential(t.db, t.ctx, {
    purpose,
    orgId: org.orgId,
    eventId: event.id,
    subject: { type: 'participant', id: p.id, email: p.email },
    expiresAt: expiryFor({ purpose, now: t.clock.now(), event }),
    singleUse: extra.singleUse ?? false,
    issuedBy: extra.issuedBy,
  });
}

/** The table row of one link on the participant page. */
function rowOf(body: string, linkId: string): string {
  const match = new RegExp(`<tr data-link-id="${linkId}">([\\s\\S]*?)</tr>`).exec(body);
  assert.ok(match, `row of ${linkId}`);
  return match[1]!;
}

const credentialsOf = (p: Participant) => t.db.selectFrom('credentials').selectAll().where('subject_id', '=', p.id).orderBy('created_at').execute();

describe('participant page: personal links', () => {
  test('each link is listed with its kind, the email it came in, dates and use, but never the link itself', async () => {
    const [sent] = await credentialsOf(ada);
    assert.ok(sent);
    const page = await staff.get(participantPage(ada));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h2>Personal links<\/h2>/);
    const row = rowOf(page.body, sent.id);
    assert.match(row, /Web app <span class="badge">active<\/span>/);
    assert.match(row, /campaign &quot;Spring invite&quot; \(template &quot;Invite template&quot;\)/);
    assert.match(row, /to ada@example.org/);
    assert.match(row, /<td>Tue, 29 Sept 2026, 18:00<\/td>/, 'expires 14 days after the event, in the event time zone');
    assert.equal(findTokens(page.body).length, 0, 'no credential on the page');
    assert.equal(page.body.includes(inbox.get('ada@example.org')![0]!), false);
    assert.equal(page.body.includes('/l/'), false, 'nor any link address');
    assert.equal(page.body.includes('revoke'), false, 'staff see the links but cannot revoke');
  });

  test('a link fetched but never used is marked as probably a mail scanner, until its owner uses it', async () => {
    const token = inbox.get('ada@example.org')![0]!;
    const [sent] = await credentialsOf(ada);
    // A mail scanner fetches the link: the landing page counts the fetch and does nothing else.
    t.clock.advance(60_000);
    const scan = await t.app.inject({ method: 'GET', url: `/l/${token}`, headers: { 'user-agent': 'Mimecast-LinkScanner/2.1' } });
    assert.equal(scan.statusCode, 200);
    let row = rowOf((await staff.get(participantPage(ada))).body, sent!.id);
    assert.match(row, /<td>1×, last Mon, 1 Jun 2026, 10:01<br\/><small class="muted">Mimecast-LinkScanner\/2\.1<\/small>/);
    assert.match(row, /fetched but never used — probably a mail scanner/);
    // Then Ada opens it and presses the button.
    t.clock.advance(60_000);
    await adaBrowser.get(`/l/${token}`, { 'user-agent': 'Firefox/140' });
    assert.equal((await adaBrowser.post(`/l/${token}`, {})).statusCode, 303);
    assert.equal((await adaBrowser.get(`/app/${event.id}`)).statusCode, 200, 'she is in the app');
    row = rowOf((await staff.get(participantPage(ada))).body, sent!.id);
    assert.doesNotMatch(row, /probably a mail scanner/);
    assert.match(row, /<td>1×, last Mon, 1 Jun 2026, 10:02<\/td>/, 'used once, and when');
    assert.match(row, /2×, last Mon, 1 Jun 2026, 10:02<br\/><small class="muted">Firefox\/140/);
  });

  test('a staff preview link names the staff member who opened it', async () => {
    const preview = await mintFor(ada, 'preview', { issuedBy: org.ownerId, singleUse: true });
    const row = rowOf((await staff.get(participantPage(ada))).body, preview.credential.id);
    assert.match(row, /Staff preview/);
    assert.match(row, /staff preview by Olive Owner/);
  });

  test('an admin revokes one link: it fails on the very next request, the others keep working, and it is audited', async () => {
    const extra = await mintFor(ada, 'rsvp');
    const refused = await staff.post(`${participantPage(ada)}/links/${extra.credential.id}/revoke`, {});
    assert.equal(refused.statusCode, 403, 'staff may not revoke');
    assert.ok(await works(extra.token, 'rsvp'));
    const done = await owner.post(`${participantPage(ada)}/links/${extra.credential.id}/revoke`, {});
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `${participantPage(ada)}?done=revoked#personal-links`);
    assert.equal(await works(extra.token, 'rsvp'), false);
    assert.ok(await works(inbox.get('ada@example.org')![0]!), 'the web app link still works');
    const page = await owner.get(participantPage(ada));
    const row = rowOf(page.body, extra.credential.id);
    assert.match(row, /RSVP <span class="badge">revoked<\/span>/);
    assert.match(row, /revoked by staff/);
    assert.doesNotMatch(row, /Revoke/, 'a dead link has no revoke button');
    assert.match(page.body, /Personal links revoked: rsvp; 1 link/, 'in the history');
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'credential.revoked').where('target_id', '=', ada.id).execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_label, org.ownerEmail);
    assert.equal(JSON.parse(audit[0]!.data).credentialId, extra.credential.id);
  });

  test("revoking all links of a participant kills every one of theirs and signs them out, nobody else's", async () => {
    const bobToken = inbox.get('bob@example.org')![0]!;
    const form = await mintFor(ada, 'form');
    const app = await startAttendeeSession(t.db, t.ctx, { kind: 'app', orgId: org.orgId, eventId: event.id, participantId: ada.id });
    assert.equal((await adaBrowser.get(`/app/${event.id}`)).statusCode, 200);
    const bobSession = await startAttendeeSession(t.db, t.ctx, { kind: 'app', orgId: org.orgId, eventId: event.id, participantId: bob.id });
    assert.equal((await staff.post(`${participantPage(ada)}/links/revoke-all`, {})).statusCode, 403);
    const page = await owner.get(participantPage(ada));
    assert.match(page.body, /Revoke all links of this participant/);
    assert.equal((await owner.post(`${participantPage(ada)}/links/revoke-all`, {})).statusCode, 303);
    assert.equal(await works(inbox.get('ada@example.org')![0]!), false);
    assert.equal(await works(form.token, 'form'), false);
    assert.equal(await resolveAttendeeSession(t.db, t.ctx, app.token), null, 'signed out of the app');
    assert.equal((await adaBrowser.get(`/app/${event.id}`)).headers.location, `/app/${event.id}/sign-in`, 'in her browser too');
    assert.ok(await works(bobToken));
    assert.ok(await resolveAttendeeSession(t.db, t.ctx, bobSession.token));
    const live = (await credentialsOf(ada)).filter((c) => !c.revoked_at && !c.consumed_at);
    assert.deepEqual(live, []);
    const signedOut = await t.db.selectFrom('audit_log').select('data').where('action', '=', 'attendee.signed_out').where('target_id', '=', ada.id).execute();
    assert.equal(JSON.parse(signedOut[0]!.data).sessions, 2, 'her browser and the other session');
  });

  test("another participant's or another organisation's link cannot be revoked through this page", async () => {
    const bobLink = (await credentialsOf(bob))[0]!;
    assert.equal((await owner.post(`${participantPage(ada)}/links/${bobLink.id}/revoke`, {})).statusCode, 404);
    assert.equal((await owner.post(`${participantPage(ada)}/links/not-an-id/revoke`, {})).statusCode, 404);
    const other = await seedOrganisation(t, 'Other Org');
    const stranger = await signedIn(t, other.ownerEmail);
    assert.equal((await stranger.post(`${participantPage(bob)}/links/revoke-all`, {})).statusCode, 404);
    assert.equal((await stranger.get(participantPage(bob))).statusCode, 404);
    assert.ok(await works(inbox.get('bob@example.org')![0]!));
  });
});

describe('event Links panel', () => {
  test('shows the generic links on the configured public URL, explains personal links, and counts them', async () => {
    await mintFor(bob, 'rsvp');
    const page = await staff.get(linksPanel(), { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
    assert.equal(page.statusCode, 200);
    for (const path of [`/e/${event.id}`, `/e/${event.id}/register`, `/app/${event.id}/sign-in`]) {
      assert.ok(page.body.includes(`value="https://tessera.test${path}"`), path);
      assert.equal((await t.app.inject({ method: 'GET', url: path, headers: { accept: 'text/html' } })).statusCode, 200, `${path} opens`);
    }
    assert.equal(page.body.includes('evil.example'), false, 'never from the Host header');
    assert.match(page.body, /never shown here, never copied and never exported/);
    for (const tag of ['webapp_link', 'registration_link', 'update_link', 'rsvp_link']) assert.ok(page.body.includes(`{{ ${tag} }}`), tag);
    assert.match(page.body, /<tr data-purpose="webapp"><td>Web app<\/td><td>1<\/td>/, "bob's web app link");
    assert.match(page.body, /<tr data-purpose="rsvp"><td>RSVP<\/td><td>1<\/td>/);
    assert.equal(findTokens(page.body).length, 0);
    assert.equal(page.body.includes('Revoke all'), false, 'staff cannot revoke');
    assert.match((await staff.get(`/admin/o/${org.orgId}/events/${event.id}`)).body, /href="[^"]+\/links"[^>]*>Links</, 'in the event navigation');
  });

  test('generic links keep the base path of the public URL', () => {
    const links = genericLinks(new URL('https://example.org/tickets'), event);
    assert.deepEqual(
      links.map((l) => l.url),
      [`https://example.org/tickets/e/${event.id}`, `https://example.org/tickets/e/${event.id}/register`, `https://example.org/tickets/app/${event.id}/sign-in`],
    );
  });

  test('revoking all links of a purpose takes a confirmation, then they fail on the next request and their sessions end', async () => {
    const rsvp = await mintFor(bob, 'rsvp');
    const used = await redeemCredential(t.db, t.ctx, visitor, rsvp.token, { purposes: ['rsvp'] });
    const session = await startAttendeeSession(t.db, t.ctx, { kind: 'form', orgId: org.orgId, eventId: event.id, participantId: bob.id, credentialId: used.id });
    const confirmUrl = `${linksPanel()}/revoke?purpose=rsvp`;
    assert.equal((await staff.get(confirmUrl)).statusCode, 403);
    assert.equal((await staff.post(`${linksPanel()}/revoke`, { purpose: 'rsvp' })).statusCode, 403);
    const panel = await owner.get(linksPanel());
    assert.ok(panel.body.includes(`href="${confirmUrl}"`));
    const confirm = await owner.get(confirmUrl);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Revoke all RSVP links\?/);
    assert.match(confirm.body, /The <b>2<\/b> active RSVP links/);
    assert.ok(await works(rsvp.token, 'rsvp'), 'the confirmation page changes nothing');
    const done = await owner.post(`${linksPanel()}/revoke`, { purpose: 'rsvp' });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `${linksPanel()}?done=revoked`);
    assert.equal(await works(rsvp.token, 'rsvp'), false);
    assert.equal(await resolveAttendeeSession(t.db, t.ctx, session.token), null, 'the session it opened ends');
    assert.ok(await works(inbox.get('bob@example.org')![0]!), 'web app links are untouched');
    const after = await owner.get(linksPanel());
    assert.doesNotMatch(after.body, /data-purpose="rsvp"/);
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'credential.revoked').where('target_id', '=', event.id).execute();
    assert.deepEqual(
      audit.map((a) => JSON.parse(a.data) as Record<string, unknown>).map((d) => [d['purpose'], d['count']]),
      [['rsvp', 2]],
    );
    assert.equal((await owner.post(`${linksPanel()}/revoke`, { purpose: 'everything' })).statusCode, 400);
  });
});

// Last: it moves the clock a month on, past every staff session.
describe('participant page: old links', () => {
  test('a dead link stays listed for 30 days, then drops off the page', async () => {
    const signin = await mintFor(bob, 'signin', { singleUse: true });
    t.clock.advance(11 * 60_000);
    assert.match(rowOf((await staff.get(participantPage(bob))).body, signin.credential.id), /Sign-in link <span class="badge">expired<\/span>/);
    t.clock.advance(31 * 86_400_000);
    const later = await signedIn(t, org.ownerEmail);
    const page = await later.get(participantPage(bob));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h2>Personal links<\/h2>/);
    assert.equal(page.body.includes(signin.credential.id), false);
  });
});
