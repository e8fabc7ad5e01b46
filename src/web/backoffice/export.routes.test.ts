import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { canonicalEmail } from '../../lib/email.js';
import { mintToken } from '../../lib/tokens.js';
import { createCustomField } from '../../modules/custom-fields/index.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import { createParticipant, upsertParticipants } from '../../modules/participants/index.js';

const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };

async function seedEvent(t: TestApp, orgId: string): Promise<Event> {
  const event = await createEvent(t.db, t.ctx, cli, orgId, {
    name: `Expo ${Math.random().toString(36).slice(2, 8)}`,
    startsAt: '2026-09-01T08:00:00Z',
    endsAt: '2026-09-02T18:00:00Z',
    timeZone: 'UTC',
  });
  await createCustomField(t.db, t.ctx, cli, orgId, event.id, { key: 'note', label: 'Note', type: 'text' });
  await createCustomField(t.db, t.ctx, cli, orgId, event.id, { key: 'topics', label: 'Topics', type: 'multiple_choice', options: ['ai', 'web'] });
  await createCustomField(t.db, t.ctx, cli, orgId, event.id, { key: 'vip', label: 'VIP', type: 'checkbox' });
  return event;
}

async function download(session: Session, url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string; rows: string[][] }> {
  const response = await session.get(url);
  const body = response.body;
  const rows = response.statusCode === 200 ? (parse(body, { bom: true }) as string[][]) : [];
  return { status: response.statusCode, headers: response.headers, body, rows };
}

describe('CSV export of participants', () => {
  let t: TestApp;
  let org: Org;
  let session: Session;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    const staff = await seedStaff(t, org.orgId, 'staff');
    session = await signedIn(t, staff.email);
  });
  after(() => t.close());

  test('export neutralises =, +, -, @, tab and CR cells', async () => {
    const event = await seedEvent(t, org.orgId);
    const dangerous = ['=HYPERLINK("https://evil.example","x")', '+1+2', '-3+4', '@SUM(A1)'];
    for (const [i, text] of dangerous.entries()) {
      await createParticipant(t.db, t.ctx, cli, org.orgId, event.id, { email: `p${i}@example.org`, firstName: text, lastName: 'Safe', fields: { note: text } });
    }
    // Forms and imports trim leading whitespace, so tab and CR can only come from older data.
    const raw = await createParticipant(t.db, t.ctx, cli, org.orgId, event.id, { email: 'raw@example.org', firstName: 'x', lastName: 'y' });
    await t.db.updateTable('participants').set({ first_name: '\tcmd', last_name: '\r=1+1', field_values: JSON.stringify({ note: '\t=2' }) }).where('id', '=', raw.id).execute();

    const result = await download(session, `/admin/o/${org.orgId}/events/${event.id}/participants.csv`);
    assert.equal(result.status, 200);
    assert.match(String(result.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(String(result.headers['content-disposition']), /^attachment; filename="[a-z0-9-]+-participants\.csv"$/);
    assert.deepEqual(result.rows[0], ['email', 'first_name', 'last_name', 'status', 'created_at', 'note', 'topics', 'vip']);
    const cells = result.rows.slice(1).flat();
    for (const text of [...dangerous, '\tcmd', '\r=1+1', '\t=2']) {
      assert.ok(cells.includes(`'${text}`), `${JSON.stringify(text)} is exported as text`);
      assert.ok(!cells.includes(text), `${JSON.stringify(text)} never appears bare`);
    }
    assert.ok(cells.every((cell) => !/^[=+\-@\t\r]/.test(cell)), 'no cell starts with a formula character');
  });

  test('an export streams every participant matching the list filters, page after page', async () => {
    const event = await seedEvent(t, org.orgId);
    const people = Array.from({ length: 1203 }, (_, i) => ({
      email: canonicalEmail(`person${String(i).padStart(4, '0')}@example.org`)!,
      firstName: `First${i}`,
      lastName: `Last${i % 7}`,
      status: i % 3 === 0 ? ('registered' as const) : null,
      fields: { topics: i % 2 === 0 ? ['ai', 'web'] : ['web'], vip: i % 5 === 0 },
    }));
    await t.db.transaction().execute((trx) => upsertParticipants(trx, t.ctx, cli, org.orgId, event.id, people, { existing: 'fail', defaultStatus: 'imported' }));
    const base = `/admin/o/${org.orgId}/events/${event.id}/participants.csv`;

    const all = await download(session, base);
    const emails = all.rows.slice(1).map((row) => row[0]);
    assert.equal(emails.length, 1203);
    assert.equal(new Set(emails).size, 1203, 'each participant exactly once across the 500-row pages');
    const first = all.rows.find((row) => row[0] === 'person0000@example.org')!;
    assert.deepEqual([first[3], first[6], first[7]], ['registered', 'ai|web', 'yes']);

    const registered = await download(session, `${base}?status=registered&f=topics:ai`);
    assert.equal(registered.rows.length - 1, people.filter((p, i) => p.status === 'registered' && i % 2 === 0).length);
    assert.ok(registered.rows.slice(1).every((row) => row[3] === 'registered' && row[6] === 'ai|web'));
    const searched = await download(session, `${base}?q=First1202`);
    assert.deepEqual(searched.rows.slice(1).map((row) => row[0]), ['person1202@example.org']);

    const audit = await t.db.selectFrom('audit_log').select('data').where('action', '=', 'participants.exported').where('target_id', '=', event.id).orderBy('id').execute();
    assert.equal(audit.length, 3);
    assert.equal((JSON.parse(audit[0]!.data) as { rows: number }).rows, 1203);
  });

  test('an export never carries a Tessera credential pasted into a field', async () => {
    const event = await seedEvent(t, org.orgId);
    const token = mintToken('link', t.ctx.random);
    await createParticipant(t.db, t.ctx, cli, org.orgId, event.id, { email: 'leak@example.org', firstName: 'L', lastName: 'K', fields: { note: `my link https://x.test/l/${token} ok` } });
    const result = await download(session, `/admin/o/${org.orgId}/events/${event.id}/participants.csv`);
    assert.ok(!result.body.includes(token));
    assert.match(result.body, /my link https:\/\/x\.test\/l\/tsr_\[redacted\] ok/);
  });
});
