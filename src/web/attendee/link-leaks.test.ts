import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { startTestSmtp, testWorker, transportTo, type ReceivedMail, type TestSmtp } from '../../../test/helpers/outbox.js';
import { ATTENDEE_COOKIE, setCookieNamed } from '../../../test/helpers/webapp.js';
import { systemActor } from '../../lib/context.js';
import { findTokens, hashToken } from '../../lib/tokens.js';
import { createCustomField } from '../../modules/custom-fields/index.js';
import { createTemplate } from '../../modules/emailing/index.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import type { MailTransport } from '../../modules/mail-transport/index.js';
import { createParticipant, getParticipant, type Participant } from '../../modules/participants/index.js';

// One flow through every kind of personal link, as people and organisers produce them: a
// campaign carrying every personal merge tag sent by the real worker to a real SMTP server, a
// sign-in link, the public registration page's "already on the list" mail, an email change, a
// staff preview and a fresh link for a revoked one, each redeemed. Every request that caused a
// mail carried a forged Host and X-Forwarded-Host (with the proxy trusted). Then: where did the
// raw credentials end up? Only in the mails.

const PUBLIC = 'https://tessera.test/';
const FORGED = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' };
const CAMPAIGN_HTML = [
  '<p>Hello {{ first_name }},</p>',
  '<p><a href="{{ registration_link }}">register</a></p>',
  '<p><a href="{{ update_link }}">update</a></p>',
  '<p><a href="{{ webapp_link }}">app</a></p>',
  '<p><a href="{{ rsvp_link }}">rsvp</a></p>',
  '<p><a href="{{ unsubscribe_link }}">unsubscribe</a></p>',
].join('\n');

/** Every URL in a mail, HTML and text part. */
function urlsIn(mail: ReceivedMail): string[] {
  return [...`${mail.html}\n${mail.text}`.matchAll(/https?:\/\/[^\s"'<>)\]]+/g)].map((m) => m[0]);
}

/** The URL behind the anchor with this text in a mail's HTML. */
function linkNamed(mail: ReceivedMail, text: string): string {
  const match = new RegExp(`href="([^"]+)"[^>]*>${text}</a>`).exec(mail.html);
  assert.ok(match?.[1], `a "${text}" link in "${mail.subject}"`);
  return match[1];
}

const landingPath = (url: string) => new URL(url).pathname;

describe('a full personal-links flow: credentials only in the mails, links only on the public URL', () => {
  let t: TestApp;
  let logs = '';
  let org: Org;
  let owner: Session;
  let smtp: TestSmtp;
  let transport: MailTransport;
  let event: Event;
  let ada: Participant;
  let bob: Participant;
  let cy: Participant;
  /** Credentials that went out, in mails or (the staff preview) in a redirect. */
  const credentials = new Set<string>();
  const unsubscribeTokens = new Set<string>();

  async function drain(): Promise<ReceivedMail[]> {
    const before = smtp.received.length;
    // The worker logs to the app's logger: its lines are part of what is checked.
    const worker = testWorker(t, transport, { log: t.app.log });
    for (let i = 0; i < 10 && (await worker.runOnce()).claimed > 0; i++);
    for (let i = 0; i < 50 && smtp.received.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const mails = smtp.received.slice(before);
    for (const mail of mails) {
      for (const token of findTokens(`${mail.html}\n${mail.text}`)) credentials.add(token);
      for (const url of urlsIn(mail)) if (url.includes('/u/')) unsubscribeTokens.add(landingPath(url).slice(3));
    }
    return mails;
  }

  const mailTo = (mails: ReceivedMail[], email: string) => {
    const found = mails.filter((m) => m.rcptTo.includes(email.toLowerCase()));
    assert.equal(found.length, 1, `one mail to ${email}`);
    return found[0]!;
  };

  /** The link's landing page, then its button, as the person does; returns where it led. */
  async function press(browser: Session, url: string): Promise<string> {
    const path = landingPath(url);
    assert.equal((await browser.get(path)).statusCode, 200, path.slice(0, 9));
    const clicked = await browser.post(path, {}, { headers: FORGED });
    assert.equal(clicked.statusCode, 303, clicked.body.slice(0, 300));
    return clicked.headers.location as string;
  }

  before(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    // Debug-level logs and a trusted proxy: the most a deployment could log, and the most weight
    // a forwarded host could be given.
    t = await createTestApp({ logStream: stream, env: { LOG_LEVEL: 'debug', TESSERA_TRUST_PROXY: 'true' } });
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    smtp = await startTestSmtp();
    transport = transportTo(t, smtp);
    event = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: 'Leak-proof Forum', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris' });
    await createCustomField(t.db, t.ctx, systemActor, org.orgId, event.id, { key: 'company', label: 'Company', type: 'text' });
    const form = await owner.post(`/admin/o/${org.orgId}/events/${event.id}/forms/new`, { title: 'Contact details', field: ['company'], allow_email_change: 'on', closes_at: '' });
    assert.equal(form.statusCode, 303);
    const person = (email: string, firstName: string, status: Participant['status']) =>
      createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email, firstName, lastName: 'Leak', status, fields: { company: 'Sieve Ltd' } });
    ada = await person('ada@example.org', 'Ada', 'imported');
    bob = await person('bob@example.org', 'Bob', 'registered');
    cy = await person('cy@example.org', 'Cy', 'invited');
  });
  after(async () => {
    await transport?.close();
    await smtp?.close();
    await t?.close();
  });

  test('every personal link is sent, redeemed, and leaves no raw credential in the database or the logs', async () => {
    const e = `/admin/o/${org.orgId}/events/${event.id}`;

    // A campaign with every personal tag a campaign may carry, created and started from a
    // request whose Host and X-Forwarded-Host are an attacker's.
    const template = await createTemplate(t.db, t.ctx, systemActor, org.orgId, event.id, { type: 'custom', name: 'All links', subject: 'Your links', html: CAMPAIGN_HTML }, { publicUrl: t.config.publicUrl });
    const created = await owner.post(`${e}/campaigns`, { name: 'Every link', template_id: template.id, ids: [ada.id, bob.id, cy.id].join('\n') }, { headers: FORGED });
    assert.equal(created.statusCode, 303, created.body.slice(0, 300));
    assert.equal((await owner.post(`${created.headers.location!.split('?')[0]}/send`, {}, { headers: FORGED })).statusCode, 303);
    const campaign = await drain();
    assert.equal(campaign.length, 3);
    const [adaMail, bobMail, cyMail] = [ada, bob, cy].map((p) => mailTo(campaign, p.email)) as [ReceivedMail, ReceivedMail, ReceivedMail];
    assert.equal(findTokens(adaMail.html).length, 4, 'four personal links (and an unsubscribe link) per message');

    // Ada (imported) registers through her secure link, then opens the app.
    const adaBrowser = new Session(t.app, { ip: '198.51.100.1' });
    assert.equal(await press(adaBrowser, linkNamed(adaMail, 'register')), `/e/${event.id}/forms/register`);
    assert.equal((await adaBrowser.post(`/e/${event.id}/forms/register`, { first_name: 'Ada', last_name: 'Leak', 'cf.company': 'Sieve Ltd' }, { headers: FORGED })).statusCode, 303);
    assert.equal((await getParticipant(t.db, org.orgId, event.id, ada.id)).status, 'registered');
    assert.equal(await press(adaBrowser, linkNamed(adaMail, 'app')), `/app/${event.id}`);

    // Bob: the app, then a new address through his update link, confirmed from that address.
    const bobBrowser = new Session(t.app, { ip: '198.51.100.2' });
    assert.equal(await press(bobBrowser, linkNamed(bobMail, 'app')), `/app/${event.id}`);
    const update = await press(bobBrowser, linkNamed(bobMail, 'update'));
    assert.equal((await bobBrowser.post(update, { 'cf.company': '', new_email: 'bob.new@example.org' }, { headers: FORGED })).statusCode, 303);
    const confirmation = mailTo(await drain(), 'bob.new@example.org');
    assert.equal(await press(new Session(t.app), linkNamed(confirmation, 'Confirm this address')), `/e/${event.id}/email-change/done`);
    assert.equal((await getParticipant(t.db, org.orgId, event.id, bob.id)).email, 'bob.new@example.org');
    await drain(); // the notice to the old address

    // Cy declines the invitation.
    const cyBrowser = new Session(t.app, { ip: '198.51.100.3' });
    assert.equal(await press(cyBrowser, linkNamed(cyMail, 'rsvp')), `/e/${event.id}/rsvp`);
    assert.equal((await cyBrowser.post(`/e/${event.id}/rsvp`, { answer: 'declined' }, { headers: FORGED })).statusCode, 303);

    // Ada asks for a sign-in link through a "proxy" claiming another host.
    const asking = new Session(t.app, { ip: '198.51.100.4' });
    assert.equal((await asking.post(`/app/${event.id}/sign-in`, { email: ada.email }, { headers: FORGED })).statusCode, 200);
    const signIn = mailTo(await drain(), ada.email);
    const signedIn = await asking.post(landingPath(linkNamed(signIn, `Sign in to ${event.name}`)), {}, { headers: FORGED });
    assert.ok(setCookieNamed(signedIn, ATTENDEE_COOKIE), 'the sign-in link opened a session');

    // The public registration page with a forged Host: Bob's (now) address is known, so he is
    // mailed his link; a newcomer is mailed a confirmation with hers.
    const visitor = new Session(t.app, { ip: '198.51.100.5' });
    for (const email of ['bob.new@example.org', 'dee@example.org']) {
      const registered = await visitor.post(`/e/${event.id}/register`, { email, first_name: 'Dee', last_name: 'Leak', 'cf.company': 'X' }, { headers: FORGED });
      assert.equal(registered.statusCode, 303);
    }
    const publicMails = await drain();
    assert.equal(await press(new Session(t.app), linkNamed(mailTo(publicMails, 'bob.new@example.org'), 'Open my registration')), `/e/${event.id}/forms/contact-details`);
    assert.equal(await press(new Session(t.app), linkNamed(mailTo(publicMails, 'dee@example.org'), 'Update my registration')), `/e/${event.id}/forms/contact-details`);

    // A staff preview (its token travels in a redirect, not a mail).
    const previewed = await owner.post(`${e}/participants/${ada.id}/preview`, {}, { headers: FORGED });
    const previewPath = previewed.headers.location as string;
    assert.match(previewPath, /^\/l\/tsr_prev_/, 'a path: no host at all');
    credentials.add(previewPath.slice(3));
    assert.equal((await owner.post(previewPath, {}, { headers: FORGED })).statusCode, 303);

    // Cy's RSVP link revoked by an admin; the dead link mails a fresh one, which works.
    const cyRsvp = await t.db.selectFrom('credentials').select('id').where('token_hash', '=', hashToken(landingPath(linkNamed(cyMail, 'rsvp')).slice(3))).executeTakeFirstOrThrow();
    assert.equal((await owner.post(`${e}/participants/${cy.id}/links/${cyRsvp.id}/revoke`, {})).statusCode, 303);
    const dead = await cyBrowser.post(`${landingPath(linkNamed(cyMail, 'rsvp'))}/renew`, {}, { headers: FORGED });
    assert.equal(dead.statusCode, 200);
    const fresh = mailTo(await drain(), cy.email);
    assert.equal(await press(new Session(t.app), linkNamed(fresh, `Open ${event.name}`)), `/e/${event.id}/rsvp`);

    const kinds = new Set([...credentials].map((token) => /^tsr_([a-z]+)_/.exec(token)![1]));
    assert.deepEqual([...kinds].sort(), ['app', 'form', 'mail', 'prev', 'rsvp', 'sign'], 'every kind of personal link went out');
    assert.ok(unsubscribeTokens.size >= 3, 'and unsubscribe links');

    // Links in every mail are on the configured public URL, whatever host the requests named.
    for (const mail of smtp.received) {
      for (const url of urlsIn(mail)) assert.ok(url.startsWith(PUBLIC), `"${mail.subject}" links to ${new URL(url).origin}`);
      assert.ok(!mail.raw.includes('evil.example'), `"${mail.subject}" never names the forged host`);
    }

    // The database: every row of every table, every column, as text.
    const tables = await t.db.introspection.getTables({ withInternalKyselyTables: true });
    const rows: unknown[] = [];
    for (const { name } of tables) rows.push(name, (await sql`select * from ${sql.table(name)}`.execute(t.db)).rows);
    const dump = JSON.stringify(rows).toLowerCase();
    assert.ok(dump.includes('credentials') && dump.includes('attendee_sessions') && dump.includes('outbox'), 'the dump covers the tables');
    assert.ok(dump.includes(hashToken(previewPath.slice(3))), 'hashes are there');
    for (const token of credentials) {
      assert.equal(dump.includes(token), false, `${token.slice(0, 9)}… not in the database`);
      assert.equal(dump.includes(token.slice(-39, -7)), false, `nor its random part (${token.slice(0, 9)}…)`);
    }
    for (const token of unsubscribeTokens) assert.equal(dump.includes(token.toLowerCase()), false, 'no unsubscribe link in the database');

    // The logs of all of it: no token of any kind, whole, cut or upper-cased.
    assert.match(logs, /"url":"\/l\/\[redacted\]"/, 'the landing requests were logged');
    assert.match(logs, /"url":"\/l\/\[redacted\]\/renew"/);
    assert.deepEqual(findTokens(logs), [], 'no well-formed token in the logs');
    const lowerLogs = logs.toLowerCase();
    for (const token of credentials) assert.equal(lowerLogs.includes(token.slice(-39, -7)), false, `no random part of ${token.slice(0, 9)}… in the logs`);
    for (const token of unsubscribeTokens) assert.equal(logs.includes(token), false, 'no unsubscribe token in the logs');
    assert.doesNotMatch(lowerLogs, /tsr_[a-z]{2,12}_[a-z2-7]{8}/, 'no token prefix followed by a body');
  });
});
