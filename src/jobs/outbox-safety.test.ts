import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';
import { recipientOf, seedMailing, startTestSmtp, testWorker, transportTo } from '../../test/helpers/outbox.js';
import { systemActor } from '../lib/context.js';
import { mintToken } from '../lib/tokens.js';
import { enqueueEmail, enqueueEmails, registerMergeTag, suppressAddress } from '../modules/emailing/index.js';
import { updateParticipant } from '../modules/participants/index.js';

// A personal tag as later capabilities register them: a fresh credential per message.
const minted: string[] = [];
registerMergeTag({
  name: 'test_personal_link',
  description: 'A personal link minted per message (test)',
  personal: true,
  resolve: async (m) => {
    const token = mintToken('app', m.ctx.random);
    minted.push(token);
    return new URL(`/app/${token}`, m.publicUrl).toString();
  },
});

async function withMail(fn: (t: TestApp, orgId: string, smtp: Awaited<ReturnType<typeof startTestSmtp>>, worker: ReturnType<typeof testWorker>) => Promise<void>) {
  const t = await createTestApp();
  const smtp = await startTestSmtp();
  const transport = transportTo(t, smtp);
  try {
    const org = await seedOrganisation(t);
    await fn(t, org.orgId, smtp, testWorker(t, transport));
  } finally {
    await transport.close();
    await smtp.close();
    await t.close();
  }
}

test('CR/LF in names and subjects adds no header', async () => {
  await withMail(async (t, orgId, smtp, worker) => {
    const template = { type: 'custom' as const, name: 'Injection', subject: 'Welcome {{ first_name }} {{ fields.note }}', html: '<p>Hi {{ first_name }}</p>' };
    const { event, participants, template: saved } = await seedMailing(
      t,
      orgId,
      [{ email: 'ada@example.org', firstName: 'Ada\r\nBcc: evil@example.org', lastName: 'L', fields: { note: 'x\r\nX-Field-Injected: 1\nCc: cc@example.org' } }],
      template,
      [{ key: 'note', label: 'Note', type: 'long_text' }],
    );
    const recipient = { ...recipientOf(participants[0]!), name: 'Ada\r\nBcc: evil2@example.org\r\nX-Injected: yes' };
    await enqueueEmail(t.db, t.ctx, { orgId, eventId: event.id, templateId: saved.id, category: 'transactional', recipient });
    assert.equal((await worker.runOnce()).sent, 1);
    const [mail] = smtp.received;
    assert.deepEqual(mail!.rcptTo, ['ada@example.org'], 'no recipient added');
    assert.deepEqual(mail!.headerLines.filter((h) => /^(bcc|cc|x-injected|x-field-injected):/i.test(h)), [], 'no header added');
    assert.equal(mail!.headerLines.filter((h) => /^subject:/i.test(h)).length, 1);
    assert.equal(mail!.subject, 'Welcome Ada Bcc: evil@example.org x X-Field-Injected: 1 Cc: cc@example.org');
  });
});

test('attendee data is HTML-escaped in HTML bodies, and template syntax in it renders literally', async () => {
  await withMail(async (t, orgId, smtp, worker) => {
    const template = { type: 'custom' as const, name: 'Escape', subject: 'For {{ first_name }}', html: '<p>{{ first_name }} {{ last_name }} of {{ fields.company }}</p>' };
    const { event, participants, template: saved } = await seedMailing(
      t,
      orgId,
      [{ email: 'eve@example.org', firstName: '{{7*7}}{{ constructor }}{% raw %}', lastName: '<script>alert(1)</script>', fields: { company: 'A&B <img src=x onerror=alert(1)>' } }],
      template,
      [{ key: 'company', label: 'Company', type: 'text' }],
    );
    await enqueueEmail(t.db, t.ctx, { orgId, eventId: event.id, templateId: saved.id, category: 'campaign', recipient: recipientOf(participants[0]!) });
    await worker.runOnce();
    const { html, text, subject } = smtp.received[0]!;
    assert.equal(html, '<p>{{7*7}}{{ constructor }}{% raw %} &lt;script&gt;alert(1)&lt;/script&gt; of A&amp;B &lt;img src=x onerror=alert(1)&gt;</p>');
    assert.equal(subject, 'For {{7*7}}{{ constructor }}{% raw %}', 'subjects are not HTML: nothing to escape, nothing evaluated');
    assert.match(text, /<script>alert\(1\)<\/script>/, 'the generated text part holds the plain text');
  });
});

test('merge tags are filled from the recipient as they are at send time, dates in the event time zone', async () => {
  await withMail(async (t, orgId, smtp, worker) => {
    const template = {
      type: 'invitation' as const,
      name: 'Invitation',
      subject: '{{ event_name }} for {{ full_name }}',
      html: '<p>{{ first_name }} ({{ user_email }}), {{ fields.role }}: {{ event_start }} to {{ event_end }} - {{ organisation_name }}</p>',
    };
    const { event, participants, template: saved } = await seedMailing(t, orgId, [{ email: 'old@example.org', firstName: 'Old', lastName: 'Name', fields: { role: 'Speaker' } }], template, [
      { key: 'role', label: 'Role', type: 'text' },
    ]);
    await enqueueEmail(t.db, t.ctx, { orgId, eventId: event.id, templateId: saved.id, category: 'campaign', recipient: recipientOf(participants[0]!) });
    await updateParticipant(t.db, t.ctx, systemActor, orgId, event.id, participants[0]!.id, { firstName: 'New' });
    await worker.runOnce();
    const mail = smtp.received[0]!;
    assert.equal(mail.subject, `${event.name} for New Name`);
    assert.match(mail.html, /^<p>New \(old@example.org\), Speaker: Monday,? 14 September 2026\D+09:00 CEST to Tuesday,? 15 September 2026\D+18:00 CEST - Acme Events<\/p>$/);
    assert.match(mail.text, /New \(old@example.org\), Speaker/, 'a text part generated from the HTML');
  });
});

test('invalid and suppressed addresses are skipped with their reason; transactional mail ignores marketing unsubscribes', async () => {
  await withMail(async (t, orgId, smtp, worker) => {
    const emails = ['ok@example.org', 'unsub@example.org', 'bounced@example.org'];
    const { event, participants, template } = await seedMailing(t, orgId, emails.map((email, i) => ({ email, firstName: `P${i}`, lastName: 'X' })));
    await suppressAddress(t.db, t.ctx, orgId, 'Unsub@Example.org', 'unsubscribed');
    await suppressAddress(t.db, t.ctx, orgId, 'bounced@example.org', 'hard_bounce');
    const base = { orgId, eventId: event.id, templateId: template.id };
    const broken = { ...recipientOf(participants[0]!), email: 'not an address\r\nBcc: x@y.z' };
    const counts = await enqueueEmails(t.db, t.ctx, { ...base, category: 'campaign', messages: [...participants.map((p) => ({ recipient: recipientOf(p) })), { recipient: broken }] });
    assert.deepEqual(counts, { queued: 1, skipped: 3 });
    const unsubscribed = await enqueueEmail(t.db, t.ctx, { ...base, category: 'transactional', recipient: recipientOf(participants[1]!) });
    const bounced = await enqueueEmail(t.db, t.ctx, { ...base, category: 'transactional', recipient: recipientOf(participants[2]!) });
    assert.deepEqual([unsubscribed.status, bounced.status, bounced.reason], ['queued', 'skipped', 'hard bounce reported on 2026-06-01']);
    const rows = await t.db.selectFrom('outbox').select(['to_email', 'category', 'status', 'last_error']).where('status', '=', 'skipped').orderBy('id').execute();
    assert.deepEqual(rows, [
      { to_email: 'unsub@example.org', category: 'campaign', status: 'skipped', last_error: 'unsubscribed from marketing emails on 2026-06-01' },
      { to_email: 'bounced@example.org', category: 'campaign', status: 'skipped', last_error: 'hard bounce reported on 2026-06-01' },
      { to_email: 'not an address Bcc: x@y.z', category: 'campaign', status: 'skipped', last_error: 'invalid address' },
      { to_email: 'bounced@example.org', category: 'transactional', status: 'skipped', last_error: 'hard bounce reported on 2026-06-01' },
    ]);
    assert.equal((await worker.runOnce()).sent, 2);
    assert.deepEqual(smtp.received.map((m) => m.rcptTo[0]).sort(), ['ok@example.org', 'unsub@example.org']);
  });
});

async function dumpDatabase(t: TestApp): Promise<string> {
  const tables =
    t.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(t.db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(t.db);
  const dump: unknown[] = [];
  for (const { name } of tables.rows) dump.push(name, (await sql`select * from ${sql.table(name)}`.execute(t.db)).rows);
  return JSON.stringify(dump);
}

test('rendered bodies with live credentials are never stored', async () => {
  await withMail(async (t, orgId, smtp, worker) => {
    const template = { type: 'invitation' as const, name: 'Links', subject: 'Your link', html: '<p>Hello {{ first_name }}, <a href="{{ test_personal_link }}">open your page</a></p>' };
    const { event, participants, template: saved } = await seedMailing(t, orgId, [
      { email: 'a@example.org', firstName: 'A', lastName: 'A' },
      { email: 'b@example.org', firstName: 'B', lastName: 'B' },
    ], template);
    await enqueueEmails(t.db, t.ctx, { orgId, eventId: event.id, templateId: saved.id, category: 'campaign', messages: participants.map((p) => ({ recipient: recipientOf(p) })) });
    assert.equal((await worker.runOnce()).sent, 2);
    assert.equal(minted.length, 2);
    assert.notEqual(minted[0], minted[1], 'one credential per message');
    for (const token of minted) assert.ok(smtp.received.some((m) => m.html.includes(`https://tessera.test/app/${token}`) && m.text.includes(token)));
    const dump = await dumpDatabase(t);
    for (const token of minted) assert.ok(!dump.includes(token), 'no live credential anywhere in the database');
    const row = await t.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual(Object.keys(row).filter((column) => /html|text|body|subject|content/.test(column)), [], 'the outbox has no body column');
    assert.ok(!dump.includes('Hello A,') && !dump.includes('Hello B,'), 'no rendered body either, only the template source');
    await assert.rejects(
      enqueueEmail(t.db, t.ctx, { orgId, eventId: event.id, templateId: saved.id, category: 'transactional', recipient: recipientOf(participants[0]!), data: { link: minted[0]! } }),
      /must not contain a credential/,
    );
  });
});
