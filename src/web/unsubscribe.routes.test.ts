import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import type { Session } from '../../test/helpers/browser-session.js';
import { drain, startCampaignVia } from '../../test/helpers/campaign-http.js';
import { seedOrganisation, signedIn, type Org } from '../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp, testWorker, transportTo, type ReceivedMail, type TestSmtp } from '../../test/helpers/outbox.js';
import { systemActor } from '../lib/context.js';
import { createTemplate, enqueueEmail, unsubscribeKey, unsubscribeUrl } from '../modules/emailing/index.js';
import { createMailTransport, type MailTransport } from '../modules/mail-transport/index.js';

const people = ['ann@example.org', 'bob@example.org', 'cat@example.org'].map((email, i) => ({ email, firstName: `P${i}`, lastName: 'Test' }));
const MARKETING = {
  type: 'custom' as const,
  name: 'News',
  subject: 'News for {{ first_name }}',
  html: '<p>Hello {{ first_name }}</p><p><a href="{{ unsubscribe_link }}">Unsubscribe</a></p>',
};
const CREDENTIALS = { type: 'credentials' as const, name: 'Credentials', subject: 'Your access', html: '<p>Hello {{ first_name }}, here is how to get in.</p>' };

const header = (mail: ReceivedMail, name: string) =>
  mail.headerLines.find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();

describe('unsubscribe links', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let smtp: TestSmtp;
  let transport: MailTransport;
  let seeded: Awaited<ReturnType<typeof seedMailing>>;
  let credentials: { id: string };
  let base: string;
  const logs: string[] = [];

  before(async () => {
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    t = await createTestApp({ logStream });
    org = await seedOrganisation(t, 'Acme Events');
    owner = await signedIn(t, org.ownerEmail);
    smtp = await startTestSmtp();
    transport = transportTo(t, smtp);
    seeded = await seedMailing(t, org.orgId, people, MARKETING);
    credentials = await createTemplate(t.db, t.ctx, systemActor, org.orgId, seeded.event.id, CREDENTIALS, { publicUrl: t.config.publicUrl });
    base = `/admin/o/${org.orgId}/events/${seeded.event.id}/campaigns`;
  });
  after(async () => {
    await transport.close();
    await smtp.close();
    await t.close();
  });

  /** A campaign to every participant (or the given ones) through the back-office, delivered to the SMTP server. */
  async function sendCampaign(templateId: string, ids = seeded.participants.map((p) => p.id), via: MailTransport = transport): Promise<string> {
    const id = await startCampaignVia(owner, base, templateId, ids);
    await drain(testWorker(t, via));
    return id;
  }
  const mailTo = (email: string, since: number) => smtp.received.slice(since).find((m) => m.rcptTo[0] === email);
  const suppressions = () => t.db.selectFrom('email_suppressions').selectAll().where('org_id', '=', org.orgId).execute();
  const pathOf = (url: string) => new URL(url).pathname;
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
  const postForm = (url: string, body: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: body });

  let annLink = '';
  let bobLink = '';

  test('a campaign message carries List-Unsubscribe (RFC 8058 one-click) on the public URL, and {{ unsubscribe_link }} is the same link', async () => {
    const since = smtp.received.length;
    await sendCampaign(seeded.template.id);
    const ann = mailTo('ann@example.org', since)!;
    const bob = mailTo('bob@example.org', since)!;
    const listUnsubscribe = header(ann, 'List-Unsubscribe') ?? '';
    assert.match(listUnsubscribe, /^<https:\/\/tessera\.test\/u\/[A-Za-z0-9_-]{56}>$/, 'an https link on the configured public URL');
    assert.equal(header(ann, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
    annLink = listUnsubscribe.slice(1, -1);
    bobLink = (header(bob, 'List-Unsubscribe') ?? '').slice(1, -1);
    assert.notEqual(annLink, bobLink, 'one link per message');
    assert.ok(ann.html.includes(`href="${annLink}"`), 'the merge tag renders the header\'s link');
    assert.equal((await suppressions()).length, 0);
  });

  test('opening the link (GET, HEAD) shows a page and changes nothing: mail scanners fetch links', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      const page = await t.app.inject({ method, url: pathOf(annLink), headers: { accept: 'text/html' } });
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
    }
    const page = await get(pathOf(annLink));
    assert.ok(page.body.includes('Unsubscribe a***@example.org from Acme Events emails'), 'a button naming the masked address and the organisation');
    assert.ok(!page.body.includes('ann@example.org'), 'the address is masked');
    assert.equal((await suppressions()).length, 0, 'nothing written');
  });

  test("the page's button unsubscribes (audited, actor anonymous) and offers to resubscribe", async () => {
    const done = await postForm(pathOf(annLink), 'action=unsubscribe');
    assert.equal(done.statusCode, 200, 'no CSRF cookie needed: the link is the authority');
    assert.match(done.body, /a\*\*\*@example\.org will no longer receive marketing emails from Acme Events/);
    assert.ok(done.body.includes('Resubscribe a***@example.org to Acme Events emails'));
    assert.equal(done.headers['cache-control'], 'no-store');
    const rows = await suppressions();
    assert.deepEqual(rows.map((r) => [r.email_key, r.reason, r.scope]), [['ann@example.org', 'unsubscribed', 'marketing']]);
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'email_suppression.unsubscribed').executeTakeFirstOrThrow();
    assert.deepEqual([entry.actor_type, entry.actor_label, entry.target_id], ['anonymous', 'unsubscribe page', 'ann@example.org']);

    await postForm(pathOf(annLink), 'action=unsubscribe');
    assert.equal((await t.db.selectFrom('audit_log').select('id').where('action', '=', 'email_suppression.unsubscribed').execute()).length, 1, 'a second click changes nothing');

    const resubscribed = await postForm(pathOf(annLink), 'action=resubscribe');
    assert.match(resubscribed.body, /will receive emails from Acme Events again/);
    assert.equal((await suppressions()).length, 0);
    assert.equal((await postForm(pathOf(annLink), 'action=unsubscribe')).statusCode, 200);
    assert.equal((await suppressions()).length, 1);
  });

  test("the mail provider's one-click POST (no cookie, no form token) unsubscribes, urlencoded or multipart", async () => {
    const oneClick = await postForm(pathOf(bobLink), 'List-Unsubscribe=One-Click');
    assert.equal(oneClick.statusCode, 200);
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'email_suppression.unsubscribed').where('target_id', '=', 'bob@example.org').executeTakeFirstOrThrow();
    assert.equal(entry.actor_label, 'one-click unsubscribe (mail provider)');

    // RFC 8058 says multipart/form-data SHOULD be used; cat's message gets that form.
    const [cat] = await t.db.selectFrom('outbox').select('id').where('to_email', '=', 'cat@example.org').execute();
    const catPage = await get(`/u/${catToken(cat!.id)}`);
    assert.equal(catPage.statusCode, 200);
    const boundary = 'x-tessera-test';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const multipart = await t.app.inject({ method: 'POST', url: `/u/${catToken(cat!.id)}`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
    assert.equal(multipart.statusCode, 200);
    assert.deepEqual((await suppressions()).map((r) => r.email_key).sort(), ['ann@example.org', 'bob@example.org', 'cat@example.org']);
  });

  const catToken = (outboxId: string) => tokenFor(outboxId, t.config.secrets.hmacKey);

  test('the next campaign skips who unsubscribed, with a readable reason; a credentials email still reaches them', async () => {
    // bob and cat resubscribe; ann stays unsubscribed.
    await postForm(pathOf(bobLink), 'action=resubscribe');
    const [cat] = await t.db.selectFrom('outbox').select('id').where('to_email', '=', 'cat@example.org').execute();
    await postForm(`/u/${catToken(cat!.id)}`, 'action=resubscribe');
    const since = smtp.received.length;
    const id = await sendCampaign(seeded.template.id);
    assert.deepEqual(smtp.received.slice(since).map((m) => m.rcptTo[0]).sort(), ['bob@example.org', 'cat@example.org']);
    const skipped = await t.db.selectFrom('outbox').selectAll().where('campaign_id', '=', id).where('status', '=', 'skipped').execute();
    assert.deepEqual(skipped.map((r) => [r.to_email, r.last_error]), [['ann@example.org', 'unsubscribed from marketing emails on 2026-06-01']]);
    const page = await owner.get(`${base}/${id}?status=skipped`);
    assert.ok(page.body.includes('unsubscribed from marketing emails on 2026-06-01'), 'the campaign page shows why');

    const before = smtp.received.length;
    await sendCampaign(credentials.id);
    const got = smtp.received.slice(before);
    assert.deepEqual(got.map((m) => m.rcptTo[0]).sort(), ['ann@example.org', 'bob@example.org', 'cat@example.org'], 'credentials are transactional, even sent as a campaign');
    assert.ok(got.every((m) => header(m, 'List-Unsubscribe') === undefined), 'and carry no unsubscribe link');
    const single = await enqueueEmail(t.db, t.ctx, { orgId: org.orgId, eventId: seeded.event.id, templateId: seeded.template.id, category: 'transactional', recipient: { kind: 'participant', id: seeded.participants[0]!.id, email: 'ann@example.org', name: 'Ann' } });
    assert.equal(single.status, 'queued', 'mail sent to one person for a reason of their own is not marketing');
    const sinceSingle = smtp.received.length;
    await drain(testWorker(t, transport));
    assert.deepEqual(smtp.received.slice(sinceSingle).map((m) => m.rcptTo[0]), ['ann@example.org']);
  });

  test('an unsubscribe after a message was queued still stops it: suppressions are checked again at send time', async () => {
    const id = await startCampaignVia(owner, base, seeded.template.id, [seeded.participants[1]!.id]);
    await postForm(pathOf(bobLink), 'List-Unsubscribe=One-Click');
    const since = smtp.received.length;
    await drain(testWorker(t, transport));
    assert.equal(smtp.received.length, since, 'nothing sent');
    const [row] = await t.db.selectFrom('outbox').selectAll().where('campaign_id', '=', id).execute();
    assert.deepEqual([row!.status, row!.last_error], ['skipped', 'unsubscribed from marketing emails on 2026-06-01']);
  });

  test('forged, truncated, other-key and junk tokens all get the same "not valid" page, never a 500, and change nothing', async () => {
    const before = (await suppressions()).length;
    const token = pathOf(annLink).slice('/u/'.length);
    const [row] = await t.db.selectFrom('outbox').select('id').where('to_email', '=', 'ann@example.org').execute();
    const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    const bad = [
      token.slice(0, -1),
      `${token}A`,
      flipped,
      tokenFor(row!.id, randomBytes(32).toString('base64')),
      'x'.repeat(10_000),
      '..%2F..%2Fadmin',
      'tsr_uns_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      `${token}/extra`,
    ];
    let page = '';
    for (const candidate of bad) {
      for (const response of [await get(`/u/${candidate}`), await postForm(`/u/${candidate}`, 'List-Unsubscribe=One-Click'), await postForm(`/u/${candidate}`, `action=unsubscribe&junk=${'j'.repeat(10_000)}`)]) {
        assert.equal(response.statusCode, 404, candidate.slice(0, 40));
        assert.match(response.body, /This link is not valid/);
        page ||= response.body;
        assert.equal(response.body, page, 'one page for all');
      }
    }
    assert.equal((await suppressions()).length, before);
    assert.equal((await get('/u/%ff%00')).statusCode < 500, true, 'an undecodable path is refused by the router, not a crash');
    const junkBody = await postForm(pathOf(annLink), `a=${'x'.repeat(10_000)}`);
    assert.equal(junkBody.statusCode, 200, 'a valid link with a junk body shows the page and changes nothing');
    assert.equal((await suppressions()).length, before);
  });

  test('a template cannot carry a pasted unsubscribe link, and credentials templates cannot use the tag', async () => {
    const pasted = await owner.post(`/admin/o/${org.orgId}/events/${seeded.event.id}/emails/templates`, { type: 'custom', name: 'Pasted', subject: 'Hi', html: `<a href="${annLink}">stop</a>`, text: '' });
    assert.equal(pasted.statusCode, 422);
    assert.match(pasted.body, /A link to a personal page/);
    const credential = await owner.post(`/admin/o/${org.orgId}/events/${seeded.event.id}/emails/templates`, { type: 'credentials', name: 'Creds', subject: 'Hi', html: '<a href="{{ unsubscribe_link }}">stop</a>', text: '' });
    assert.equal(credential.statusCode, 422);
    assert.match(credential.body, /unsubscribe_link/);
  });

  test("a send test of a template with {{ unsubscribe_link }} passes the personal-value check, and each copy's link names the staff address", async () => {
    const since = smtp.received.length;
    const ids = seeded.participants.slice(0, 2).map((p) => p.id);
    const sent = await owner.post(`/admin/o/${org.orgId}/events/${seeded.event.id}/emails/templates/${seeded.template.id}/test`, { participants: ids });
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 300));
    await drain(testWorker(t, transport));
    const copies = smtp.received.slice(since);
    assert.deepEqual(copies.map((m) => m.rcptTo[0]), [org.ownerEmail, org.ownerEmail]);
    const links = copies.map((m) => /href="(https:\/\/tessera\.test\/u\/[^"]+)"/.exec(m.html)?.[1] ?? '');
    assert.notEqual(links[0], links[1]);
    assert.ok(copies.every((m) => header(m, 'List-Unsubscribe') === undefined), 'a test message is not a campaign');
    assert.match((await get(pathOf(links[0]!))).body, /Unsubscribe o\*\*\*@example\.org from Acme Events emails/, 'the link works, for the staff address it went to');
  });

  test('unsubscribe tokens never reach the logs', () => {
    const token = pathOf(annLink).slice('/u/'.length);
    const text = logs.join('');
    assert.ok(text.includes('/u/[redacted]'), 'requests to /u/ were logged');
    assert.ok(!text.includes(token));
  });

  test('with DKIM, the signature covers both List-Unsubscribe headers (RFC 8058)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dkim = { domain: 'tessera.test', selector: 'mail', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const signing = createMailTransport({ smtpUrl: smtp.url, smtpSinkPort: null, dkim, publicUrl: t.config.publicUrl });
    try {
      const since = smtp.received.length;
      await postForm(pathOf(bobLink), 'action=resubscribe');
      await sendCampaign(seeded.template.id, [seeded.participants[1]!.id], signing);
      const signature = header(smtp.received[since]!, 'DKIM-Signature') ?? '';
      const signed = /(?:^|;)h=([^;]+)/.exec(signature.replace(/\s+/g, ''))?.[1]?.toLowerCase().split(':') ?? [];
      assert.ok(signed.includes('list-unsubscribe') && signed.includes('list-unsubscribe-post'), signed.join(':'));
    } finally {
      await signing.close();
    }
  });
});

/** The token the worker would put in a message's link, under a given HMAC secret. */
function tokenFor(outboxId: string, hmacKeyBase64: string): string {
  return unsubscribeUrl(new URL('https://x.test'), unsubscribeKey(hmacKeyBase64), outboxId).slice('https://x.test/u/'.length);
}
