import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { PASSWORD, seedOrganisation, signedIn } from '../../test/helpers/fixtures.js';
import { createCustomField } from '../modules/custom-fields/index.js';
import { createCampaign, createTemplate, startCampaign } from '../modules/emailing/index.js';
import { createEvent } from '../modules/events/index.js';
import { createParticipant } from '../modules/participants/index.js';
import { issueSetupToken } from '../modules/setup/index.js';

// Reading a page may log the read (exports are audited) and refresh the session's last activity;
// everything else must be exactly as before.
const BOOKKEEPING = new Set(['audit_log', 'staff_sessions', 'kysely_migration', 'kysely_migration_lock']);

async function snapshot(t: TestApp): Promise<string> {
  const tables = (await t.db.introspection.getTables()).map((table) => table.name).filter((name) => !BOOKKEEPING.has(name)).sort();
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.db);
    parts.push(`${table}:${JSON.stringify(rows.rows.map((row) => JSON.stringify(row)).sort())}`);
  }
  return parts.join('\n');
}

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

test('no GET or HEAD of any back-office page, export or setup link changes stored data', async () => {
  const org = await seedOrganisation(t);
  const actor = { type: 'cli' as const, id: null, label: 'test', ip: null };
  const event = await createEvent(t.db, t.ctx, actor, org.orgId, { name: 'Read Only', startsAt: '2026-09-01T08:00:00Z', endsAt: '2026-09-01T18:00:00Z', timeZone: 'Europe/Paris' });
  const field = await createCustomField(t.db, t.ctx, actor, org.orgId, event.id, { key: 'company', label: 'Company', type: 'text' });
  const person = await createParticipant(t.db, t.ctx, actor, org.orgId, event.id, { email: 'reader@example.org', firstName: 'Rea', lastName: 'Der', fields: { company: 'Acme' } });
  const template = await createTemplate(t.db, t.ctx, actor, org.orgId, event.id, { type: 'custom', name: 'T', subject: 'Hi {{ first_name }}', html: '<p>{{ fields.company }}</p>' }, t.config);
  const audience = { ids: [], statuses: [], fields: {}, q: '' };
  const draft = await createCampaign(t.db, t.ctx, actor, org.orgId, event.id, { name: 'Draft', templateId: template.id, audience });
  const sent = await createCampaign(t.db, t.ctx, actor, org.orgId, event.id, { name: 'Sent', templateId: template.id, audience });
  await t.db.transaction().execute((trx) => startCampaign(trx, t.ctx, t.dialect, actor, sent));
  const session = await signedIn(t, org.ownerEmail, PASSWORD);
  const setupToken = await issueSetupToken(t.db, t.ctx);
  const o = `/admin/o/${org.orgId}`;
  const e = `${o}/events/${event.id}`;
  const urls = [
    '/', '/admin', '/admin/login', '/admin/account', `${o}/events`, `${o}/events/new`, e, `${e}/edit`, `${e}/fields`,
    `${e}/fields/${field.id}/edit`, `${e}/fields/${field.id}/delete`, `${e}/participants`, `${e}/participants?q=rea&status=registered`,
    `${e}/participants/new`, `${e}/participants/${person.id}`, `${e}/participants/${person.id}/edit`, `${e}/participants.csv`,
    `${e}/import`, `${o}/staff`, `${o}/audit`, `${o}/settings`, `${o}/api-keys`, `/setup/${setupToken ?? 'none'}`,
    '/api/openapi.json', '/healthz', '/readyz', '/metrics',
    `${e}/emails`, `${e}/emails/templates/new`, `${e}/emails/templates/${template.id}?participant=${person.id}`,
    `${e}/emails/templates/${template.id}/preview?participant=${person.id}`, `${e}/emails/actions`, `${e}/campaigns`,
    `${e}/campaigns/new?status=registered&f=company:Acme`, `${e}/campaigns/${draft.id}`, `${e}/campaigns/${sent.id}?status=queued`,
    `${e}/forms`, `${e}/forms/new`, `${e}/forms/register/edit`, `/e/${event.id}`, `/e/${event.id}/register`, `/e/${event.id}/register/thanks`,
    `/e/${event.id}/forms/register`, `/e/${event.id}/rsvp`,
    `${e}/sign-ins`, `${e}/sign-ins/never-signed-in.csv`, `${e}/participants/resend-credentials?status=registered`,
    `${e}/participants/resend-credentials/done?codes=1&links=0&skipped=2`, `${e}/participants/${person.id}/access-code/set`,
  ];
  const before = await snapshot(t);
  assert.match(before, /reader@example.org/, 'the snapshot sees the data');
  for (const url of urls) {
    for (const method of ['GET', 'HEAD'] as const) {
      const response = await t.app.inject({ method, url, headers: { cookie: session.cookieHeader(), accept: 'text/html' } });
      assert.ok(response.statusCode < 500, `${method} ${url} -> ${response.statusCode}`);
    }
  }
  assert.equal(await snapshot(t), before);
});
