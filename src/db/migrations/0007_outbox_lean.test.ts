import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { enqueueEmail } from '../../modules/emailing/index.js';
import { createTestApp } from '../../../test/helpers/app.js';
import { drain } from '../../../test/helpers/campaign-http.js';
import { seedOrganisation } from '../../../test/helpers/fixtures.js';
import { seedMailing, recipientOf, startTestSmtp, testWorker, transportTo } from '../../../test/helpers/outbox.js';

const ADA = { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' };

// Migration 0007 drops the outbox's keys to events, campaigns and templates on PostgreSQL; these
// are the behaviours that rested on them, on both dialects.

test('a message whose template was deleted after it was queued is failed with a reason, never sent', async () => {
  const t = await createTestApp();
  const smtp = await startTestSmtp();
  const transport = transportTo(t, smtp);
  try {
    const { orgId } = await seedOrganisation(t);
    const { event, participants, template } = await seedMailing(t, orgId, [ADA]);
    await enqueueEmail(t.db, t.ctx, { orgId, eventId: event.id, templateId: template.id, category: 'transactional', recipient: recipientOf(participants[0]!) });
    // As when a delete races the "no message waiting" check: SQLite's key sets the id to null,
    // PostgreSQL (no key since 0007) keeps an id that points nowhere. The worker treats both alike.
    await t.db.deleteFrom('email_templates').where('id', '=', template.id).execute();
    await drain(testWorker(t, transport));
    const row = await t.db.selectFrom('outbox').select(['status', 'last_error']).where('org_id', '=', orgId).executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'failed', last_error: 'The template was deleted' });
    assert.equal(smtp.received.length, 0);
  } finally {
    await transport.close();
    await smtp.close();
    await t.close();
  }
});

test("deleting an organisation still deletes its messages, and only the outbox's key to it remains", async () => {
  const t = await createTestApp();
  try {
    const kept = await seedOrganisation(t, 'Kept');
    const gone = await seedOrganisation(t, 'Gone');
    for (const { orgId } of [kept, gone]) {
      const { event, participants, template } = await seedMailing(t, orgId, [ADA]);
      await enqueueEmail(t.db, t.ctx, { orgId, eventId: event.id, templateId: template.id, category: 'transactional', recipient: recipientOf(participants[0]!) });
    }
    await t.db.deleteFrom('organisations').where('id', '=', gone.orgId).execute();
    const left = await t.db.selectFrom('outbox').select('org_id').execute();
    assert.deepEqual(left, [{ org_id: kept.orgId }]);
    if (t.dialect === 'postgres') {
      const keys = await sql<{ parent: string }>`select confrelid::regclass::text as parent from pg_constraint where conrelid = 'outbox'::regclass and contype = 'f'`.execute(t.db);
      assert.deepEqual(keys.rows, [{ parent: 'organisations' }]);
    }
  } finally {
    await t.close();
  }
});
