import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { canonicalEmail } from '../../lib/email.js';
import { newId } from '../../lib/ids.js';
import { ensureContacts } from '../../modules/contacts/index.js';
import { createMailTransport, startMailSink, type MailSink, type MailTransport, type OutgoingMail } from '../../modules/mail-transport/index.js';
import { MAIL_HTML_CSP } from './mailbox.routes.js';

let sequence = 0;
function mail(to: string, overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  sequence += 1;
  return {
    from: 'Acme Events <noreply@tessera.test>',
    to: { email: to, name: 'Ada Lovelace' },
    subject: `Your access #${sequence}`,
    html: `<p>Hello Ada, <a href="https://tessera.test/e/summit">open the app</a></p><script>document.title='ran'</script>`,
    text: `Hello Ada, open the app: https://tessera.test/e/summit (#${sequence})`,
    messageId: `<test-${sequence}-${process.pid}@tessera.test>`,
    ...overrides,
  };
}

/** The list's rows as [to, subject] pairs. */
function rows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...(m[1] ?? '').matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => (c[1] ?? '').replace(/<[^>]+>/g, '')));
}

function messageLink(html: string, subject: string): string {
  const href = new RegExp(`<a href="(/admin/mailbox/[0-9a-z]{26})">${subject.replace(/[#]/g, '\\$&')}</a>`).exec(html)?.[1];
  assert.ok(href, `a link to "${subject}"`);
  return href;
}

async function addContact(t: TestApp, orgId: string, email: string): Promise<void> {
  await ensureContacts(t.db, t.ctx, orgId, [{ email: canonicalEmail(email)!, firstName: 'Ada', lastName: 'Lovelace' }]);
}

describe('Mailbox page', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let sink: MailSink;
  let transport: MailTransport;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    sink = await startMailSink({ db: t.db, ctx: t.ctx, port: 0 });
    transport = createMailTransport(t.config, { sinkPort: sink.port });
    await addContact(t, org.orgId, 'ada@example.org');
  });
  after(async () => {
    await transport.close();
    await sink.close();
    await t.close();
  });

  test('a message sent through the transport arrives in the local sink and shows on the Mailbox page', async () => {
    const sent = mail('Ada@Example.org');
    assert.deepEqual((await transport.send(sent)).ok, true);
    const list = await owner.get('/admin/mailbox');
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes('<a href="/admin/mailbox">Mailbox</a>'), 'the top bar links the Mailbox while the sink is in use');
    const row = rows(list.body).find((cells) => cells[1] === sent.subject);
    assert.ok(row, 'listed');
    assert.equal(row[0], 'Ada@example.org');

    const page = await owner.get(messageLink(list.body, sent.subject));
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(sent.text.replace(/&/g, '&amp;')), 'the text body');
    assert.ok(page.body.includes('&lt;test-'), 'the Message-ID, escaped');
    assert.match(page.body, /Subject: Your access #\d+/, 'the raw headers');
    assert.ok(page.body.includes('noreply@tessera.test'));
    assert.match(page.body, /<iframe [^>]*src="\/admin\/mailbox\/[0-9a-z]{26}\/html"[^>]*sandbox="allow-popups allow-popups-to-escape-sandbox"/);
    assert.ok(!page.body.includes("document.title='ran'"), 'the HTML body is not inlined into our page');
  });

  test('the HTML view is served with a sandbox CSP and runs no script', async () => {
    const sent = mail('ada@example.org');
    await transport.send(sent);
    const list = await owner.get('/admin/mailbox');
    const view = await owner.get(`${messageLink(list.body, sent.subject)}/html`);
    assert.equal(view.statusCode, 200);
    assert.equal(view.headers['content-security-policy'], MAIL_HTML_CSP);
    const csp = String(view.headers['content-security-policy']);
    assert.match(csp, /^sandbox allow-popups allow-popups-to-escape-sandbox;/);
    assert.ok(!/allow-scripts|allow-same-origin|allow-forms|allow-top-navigation/.test(csp), 'nothing that lets script run or escape');
    assert.match(csp, /default-src 'none'/);
    assert.ok(!/script-src/.test(csp), 'no script source at all');
    assert.match(csp, /frame-ancestors 'self'/);
    assert.match(String(view.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.equal(view.headers['cache-control'], 'no-store');
    assert.equal(view.headers['x-content-type-options'], 'nosniff');
    assert.ok(view.body.startsWith('<!doctype html><meta charset="utf-8"><base target="_blank">'), 'links open outside the frame');
    assert.ok(view.body.includes('<a href="https://tessera.test/e/summit">'), 'links kept as sent');
  });

  test('the mailbox page is not visible without signing in', async () => {
    await transport.send(mail('ada@example.org'));
    const id = (await t.db.selectFrom('mailbox_messages').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    for (const url of ['/admin/mailbox', `/admin/mailbox/${id}`, `/admin/mailbox/${id}/html`]) {
      const page = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      assert.equal(page.statusCode, 303, url);
      assert.match(String(page.headers.location), /^\/admin\/login\?next=/);
      const api = await t.app.inject({ method: 'GET', url });
      assert.equal(api.statusCode, 401, url);
      assert.ok(!api.body.includes('Hello Ada'));
    }
  });

  test("another organisation, a scanner and a colleague see nothing of what is not theirs", async () => {
    const colleague = await seedStaff(t, org.orgId, 'staff');
    const scanner = await seedStaff(t, org.orgId, 'scanner');
    const other = await seedOrganisation(t, 'Elsewhere');
    const toContact = mail('ada@example.org');
    // A colleague's own mail (a sign-in link, say) would let whoever reads it act as them.
    const toColleague = mail(colleague.email, { subject: 'Your sign-in link' });
    await addContact(t, org.orgId, colleague.email);
    await transport.send(toContact);
    await transport.send(toColleague);

    const subjects = async (session: Session) => rows((await session.get('/admin/mailbox')).body).map((cells) => cells[1]);
    const ownerSees = await subjects(owner);
    assert.ok(ownerSees.includes(toContact.subject) && !ownerSees.includes('Your sign-in link'));
    const colleagueSees = await subjects(await signedIn(t, colleague.email));
    assert.ok(colleagueSees.includes(toContact.subject) && colleagueSees.includes('Your sign-in link'));
    assert.deepEqual(await subjects(await signedIn(t, scanner.email)), []);
    const stranger = await signedIn(t, other.ownerEmail);
    assert.deepEqual(await subjects(stranger), []);

    const id = (await t.db.selectFrom('mailbox_messages').select('id').where('subject', '=', toContact.subject).executeTakeFirstOrThrow()).id;
    assert.equal((await stranger.get(`/admin/mailbox/${id}`)).statusCode, 404);
    assert.equal((await stranger.get(`/admin/mailbox/${id}/html`)).statusCode, 404);
    assert.equal((await owner.get('/admin/mailbox/not-an-id')).statusCode, 400);
  });

  test('mail from the outbox shows only to the organisation that sent it, even to a shared contact', async () => {
    const other = await seedOrganisation(t, 'Shared Contact Org');
    await addContact(t, other.orgId, 'ada@example.org');
    const now = t.clock.now().toISOString();
    const outboxId = newId(t.ctx.clock, t.ctx.random);
    await t.db
      .insertInto('outbox')
      .values({
        id: outboxId, org_id: other.orgId, event_id: null, campaign_id: null, template_id: null, category: 'transactional', priority: 0,
        recipient_kind: 'contact', recipient_id: outboxId, to_email: 'ada@example.org', to_name: 'Ada', data: '{}', status: 'sending',
        attempts: 1, next_attempt_at: now, claimed_by: 'test', claimed_until: now, message_id: null, last_error: null, sent_at: null,
        created_at: now, updated_at: now,
      })
      .execute();
    // The worker's Message-ID: <outbox id@public host>.
    const sent = mail('ada@example.org', { subject: 'Sent by the other organisation', messageId: `<${outboxId}@tessera.test>` });
    await transport.send(sent);
    const otherSees = rows((await (await signedIn(t, other.ownerEmail)).get('/admin/mailbox')).body).map((cells) => cells[1]);
    assert.ok(otherSees.includes(sent.subject));
    const ownerSees = rows((await owner.get('/admin/mailbox')).body).map((cells) => cells[1]);
    assert.ok(!ownerSees.includes(sent.subject), 'a contact in both organisations does not open one to the other');
  });

  test('a message stored before the sink kept raw messages still shows its bodies', async () => {
    // Rows from before migration 0006 hold the bodies mailparser gave on arrival and no raw copy.
    const id = newId(t.ctx.clock, t.ctx.random);
    await t.db
      .insertInto('mailbox_messages')
      .values({
        id, message_id: '<legacy@tessera.test>', mail_from: 'noreply@tessera.test', rcpt_to: 'ada@example.org', subject: 'Stored the old way',
        headers: 'Subject: Stored the old way', html: '<p>Old <a href="https://tessera.test/e/old">link</a></p>', text: 'Old text body',
        raw: null, raw_size: 120, received_at: t.clock.now().toISOString(),
      })
      .execute();
    await t.db.insertInto('mailbox_recipients').values({ mailbox_id: id, email_key: 'ada@example.org' }).execute();
    const page = await owner.get(`/admin/mailbox/${id}`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('Old text body'));
    const html = await owner.get(`/admin/mailbox/${id}/html`);
    assert.ok(html.body.includes('<a href="https://tessera.test/e/old">link</a>'));
  });

  test('the list pages 50 messages at a time, newest first', async () => {
    const fresh = await seedOrganisation(t, 'Busy Mailbox');
    await addContact(t, fresh.orgId, 'busy@example.org');
    for (let n = 1; n <= 55; n++) await transport.send(mail('busy@example.org', { subject: `Busy ${n}` }));
    const session = await signedIn(t, fresh.ownerEmail);
    const first = await session.get('/admin/mailbox');
    const firstRows = rows(first.body);
    assert.equal(firstRows.length, 50);
    assert.equal(firstRows[0]?.[1], 'Busy 55');
    const older = /<a href="([^"]+)">Older/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(older);
    const second = rows((await session.get(older)).body);
    assert.deepEqual(second.map((cells) => cells[1]), ['Busy 5', 'Busy 4', 'Busy 3', 'Busy 2', 'Busy 1']);
  });
});

describe('Mailbox with a real relay configured', () => {
  test('with SMTP_URL set there is no Mailbox page and no link to it', async () => {
    const t = await createTestApp({ env: { SMTP_URL: 'smtp://relay.example:587' } });
    try {
      const org = await seedOrganisation(t);
      const owner = await signedIn(t, org.ownerEmail);
      assert.equal((await owner.get('/admin/mailbox')).statusCode, 404);
      const home = await owner.get(`/admin/o/${org.orgId}/events`);
      assert.equal(home.statusCode, 200);
      assert.ok(!home.body.includes('/admin/mailbox'));
    } finally {
      await t.close();
    }
  });
});
