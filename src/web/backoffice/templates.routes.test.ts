import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp, testWorker, transportTo } from '../../../test/helpers/outbox.js';
import { registerEmailAction, registerMergeTag, templateForAction } from '../../modules/emailing/index.js';
import { PREVIEW_CSP } from './templates.routes.js';

let previewResolves = 0;
// A well-behaved personal tag: a different value per message (as a minted credential would be).
registerMergeTag({
  name: 'test_personal_link',
  description: 'A personal link (test)',
  personal: true,
  resolve: async (m) => {
    if (m.mode === 'preview') previewResolves += 1;
    return `https://tessera.test/app/${m.outboxId ?? 'none'}-${m.recipient.id}`;
  },
});
// A broken one: the same value for everybody, which "send test" must catch.
registerMergeTag({ name: 'test_shared_code', description: 'A code that is not personal at all (test)', personal: true, resolve: async () => 'SAME-FOR-ALL' });
registerEmailAction({ name: 'test_templates.welcome', description: 'Welcome a new participant', types: ['custom', 'invitation'] });

const TEMPLATE = { type: 'custom' as const, name: 'Welcome', subject: 'Hello {{ first_name }}', html: '<p>Dear {{ first_name }} {{ last_name }} from {{ fields.company }}</p><a href="{{ test_personal_link }}">open</a>' };
const PEOPLE = [
  { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace <b>', fields: { company: 'Analytical & Co' } },
  { email: 'grace@example.org', firstName: 'Grace', lastName: 'Hopper', fields: { company: 'Navy' } },
];

/** Text as the page escapes it (preact leaves '>' alone). */
const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** Row counts of every table a page could write to (staff sessions record activity, so not those). */
async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const tables = ['outbox', 'audit_log', 'email_templates', 'template_links', 'campaigns', 'participants', 'contacts', 'email_suppressions', 'idempotency_keys'];
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.db)).rows[0]!.n);
  return counts;
}

describe('email templates in the back-office', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let seeded: Awaited<ReturnType<typeof seedMailing>>;
  let base: string;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    seeded = await seedMailing(t, org.orgId, PEOPLE, TEMPLATE, [{ key: 'company', label: 'Company', type: 'text' }]);
    base = `/admin/o/${org.orgId}/events/${seeded.event.id}/emails`;
  });
  after(() => t.close());

  test('saving a template with an unknown tag shows the tag and keeps the typed text', async () => {
    const typed = { name: 'Reminder <draft>', type: 'reminder', level: 'event', subject: 'See you {{ frist_name }}', html: '<p>Hi {{ first_name }}, {{ fields.compnay }} & <a href="https://evil.example/x">here</a></p>', text: 'Plain {{ first_name }}' };
    const response = await owner.post(`${base}/templates`, typed);
    assert.equal(response.statusCode, 422);
    assert.match(response.body, /Unknown merge tags: frist_name, fields\.compnay/);
    assert.match(response.body, /Unknown merge tag &quot;frist_name&quot; \(Subject, line 1\)/);
    assert.match(response.body, /Unknown custom field &quot;compnay&quot;/);
    assert.match(response.body, /evil\.example: links must use tessera\.test/, 'the linter problem is listed too');
    assert.ok(response.body.includes(`value="${escaped(typed.name)}"`), 'the name as typed');
    assert.ok(response.body.includes(`value="${escaped(typed.subject)}"`), 'the subject as typed');
    assert.ok(response.body.includes(`<textarea name="html" rows="16" required aria-invalid="true">\n${escaped(typed.html)}</textarea>`), 'the HTML body as typed, escaped once');
    assert.ok(response.body.includes(`<textarea name="text" rows="6">\n${escaped(typed.text)}</textarea>`), 'the text body as typed');
    assert.match(response.body, /<option value="reminder" selected/);
    assert.equal((await t.db.selectFrom('email_templates').select('id').where('name', '=', typed.name).execute()).length, 0, 'nothing saved');

    const fixed = await owner.post(`${base}/templates`, { ...typed, subject: 'See you {{ first_name }}', html: '<p>Hi {{ fields.company }}</p>' });
    assert.equal(fixed.statusCode, 303);
    const saved = await t.db.selectFrom('email_templates').selectAll().where('name', '=', typed.name).executeTakeFirstOrThrow();
    assert.deepEqual([saved.type, saved.event_id, saved.text], ['reminder', seeded.event.id, 'Plain {{ first_name }}']);
  });

  test("preview renders a participant's data and stores nothing", async () => {
    const [ada] = seeded.participants;
    const editor = `${base}/templates/${seeded.template.id}`;
    const before = await rowCounts(t);
    const page = await owner.get(`${editor}?participant=${ada!.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<iframe [^>]*src="[^"]*\/preview\?participant=[0-9a-z]{26}"[^>]*\bsandbox[ >]/);
    assert.ok(page.body.includes('<dd>Hello Ada</dd>'), 'the subject with her data');
    const frame = await owner.get(`${editor}/preview?participant=${ada!.id}`);
    assert.equal(frame.statusCode, 200);
    assert.equal(frame.headers['content-security-policy'], PREVIEW_CSP);
    assert.equal(frame.headers['cache-control'], 'no-store');
    assert.ok(frame.body.includes('Dear Ada Lovelace &lt;b&gt; from Analytical &amp; Co'), 'her data, HTML-escaped');
    assert.ok(frame.body.includes('[preview: test_personal_link, personal, created when the email is sent]'), 'a marked placeholder');
    assert.equal(previewResolves, 0, "a personal tag's resolver is never called for a preview");
    assert.deepEqual(await rowCounts(t), before, 'nothing was written');
  });

  test('send test to two participants delivers two messages to the staff address', async () => {
    const smtp = await startTestSmtp();
    const transport = transportTo(t, smtp);
    try {
      const [ada, grace] = seeded.participants;
      const response = await owner.post(`${base}/templates/${seeded.template.id}/test`, { participants: [ada!.id, grace!.id, ''] });
      assert.equal(response.statusCode, 303);
      assert.match(response.headers.location ?? '', /done=test_sent/);
      const rows = await t.db.selectFrom('outbox').selectAll().where('template_id', '=', seeded.template.id).execute();
      assert.deepEqual(rows.map((r) => [r.category, r.to_email]), [['transactional', org.ownerEmail], ['transactional', org.ownerEmail]]);
      assert.equal((await testWorker(t, transport).runOnce()).sent, 2);
      assert.deepEqual(smtp.received.map((m) => m.rcptTo), [[org.ownerEmail], [org.ownerEmail]]);
      assert.deepEqual(smtp.received.map((m) => m.subject).sort(), ['Hello Ada', 'Hello Grace']);
      const links = smtp.received.map((m) => /href="([^"]+)"/.exec(m.html)?.[1]);
      assert.equal(new Set(links).size, 2, 'each copy carries its own personal link');
    } finally {
      await transport.close();
      await smtp.close();
    }
  });

  test('send test refuses when a personal tag gives both recipients the same value', async () => {
    const broken = await owner.post(`${base}/templates`, { name: 'Broken', type: 'custom', level: 'event', subject: 'Code', html: '<p>{{ first_name }}: {{ test_shared_code }}</p>', text: '' });
    assert.equal(broken.statusCode, 303);
    const id = /templates\/([0-9a-z]{26})/.exec(broken.headers.location ?? '')![1]!;
    const [ada, grace] = seeded.participants;
    const before = await rowCounts(t);
    const response = await owner.post(`${base}/templates/${id}/test`, { participants: [ada!.id, grace!.id] });
    assert.equal(response.statusCode, 422);
    assert.match(response.body, /Send test refused, nothing was sent: &quot;test_shared_code&quot; gives Ada Lovelace &lt;b> and Grace Hopper the same value/);
    assert.ok(!response.body.includes('SAME-FOR-ALL'), 'the value itself is never shown');
    assert.deepEqual(await rowCounts(t), before, 'no message queued, nothing minted or audited');
    const one = await owner.post(`${base}/templates/${id}/test`, { participants: [ada!.id, ada!.id] });
    assert.equal(one.statusCode, 400, 'two different participants are needed');
  });

  test('actions get their template through the links page', async () => {
    const page = await owner.get(`${base}/actions`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Welcome a new participant/);
    const saved = await owner.post(`${base}/actions`, { 'event:test_templates.welcome': seeded.template.id, 'org:test_templates.welcome': '' });
    assert.equal(saved.statusCode, 303);
    assert.equal((await templateForAction(t.db, t.ctx, org.orgId, seeded.event.id, 'test_templates.welcome')).id, seeded.template.id);
    const shown = await owner.get(`${base}/actions`);
    assert.match(shown.body, new RegExp(`<option value="${seeded.template.id}" selected`));
    await owner.post(`${base}/actions`, { 'event:test_templates.welcome': '' });
    await assert.rejects(templateForAction(t.db, t.ctx, org.orgId, seeded.event.id, 'test_templates.welcome'), /No email template is linked/);
  });

  test('staff may look, only admins may change; scanners see nothing', async () => {
    const staff = await signedIn(t, (await seedStaff(t, org.orgId, 'staff')).email);
    const scanner = await signedIn(t, (await seedStaff(t, org.orgId, 'scanner')).email);
    const editor = `${base}/templates/${seeded.template.id}`;
    assert.equal((await staff.get(base)).statusCode, 200);
    const page = await staff.get(editor);
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('Send test to me') && !page.body.includes('>Save<'), 'no save or send for staff');
    assert.equal((await staff.get(`${editor}/preview?participant=${seeded.participants[0]!.id}`)).statusCode, 200);
    assert.equal((await staff.post(editor, { ...TEMPLATE, level: 'event', text: '' })).statusCode, 403);
    assert.equal((await staff.post(`${editor}/test`, { participants: seeded.participants.map((p) => p.id) })).statusCode, 403);
    assert.equal((await staff.get(`${base}/templates/new`)).statusCode, 403);
    assert.equal((await scanner.get(base)).statusCode, 403);
  });

  test('another organisation gets 404 on templates', async () => {
    const other = await seedOrganisation(t, 'Other Org');
    const stranger = await signedIn(t, other.ownerEmail);
    const editor = `${base}/templates/${seeded.template.id}`;
    for (const url of [base, editor, `${editor}/preview?participant=${seeded.participants[0]!.id}`, `${base}/actions`]) {
      assert.equal((await stranger.get(url)).statusCode, 404, url);
    }
    assert.equal((await stranger.post(editor, { ...TEMPLATE, level: 'event', text: '' })).statusCode, 404);
    assert.equal((await stranger.post(`${editor}/test`, { participants: seeded.participants.map((p) => p.id) })).statusCode, 404);
    // Their own event, our template id: still not found.
    const theirs = await seedMailing(t, other.orgId, []);
    assert.equal((await stranger.get(`/admin/o/${other.orgId}/events/${theirs.event.id}/emails/templates/${seeded.template.id}`)).statusCode, 404);
  });
});
