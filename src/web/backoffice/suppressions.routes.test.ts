import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing } from '../../../test/helpers/outbox.js';
import { systemActor } from '../../lib/context.js';
import { addSuppression } from '../../modules/emailing/index.js';

describe('Suppressions page', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let staff: Session;
  let path: string;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    staff = await signedIn(t, (await seedStaff(t, org.orgId, 'staff')).email);
    path = `/admin/o/${org.orgId}/suppressions`;
    await addSuppression(t.db, t.ctx, systemActor, org.orgId, { email: 'gone@example.org', reason: 'hard_bounce', detail: '550 5.1.1 <gone@example.org> User unknown' });
    t.clock.advance(60_000);
    await addSuppression(t.db, t.ctx, systemActor, org.orgId, { email: 'quiet@example.org', reason: 'unsubscribed' });
  });
  after(() => t.close());

  test('lists each address with reason, scope, server reply and date, newest first, and is linked from the campaigns page', async () => {
    const { event } = await seedMailing(t, org.orgId, []);
    const campaigns = await owner.get(`/admin/o/${org.orgId}/events/${event.id}/campaigns`);
    assert.ok(campaigns.body.includes(`href="${path}"`), 'a link from the campaign navigation');
    const page = await owner.get(path);
    assert.equal(page.statusCode, 200);
    const rows = [...page.body.matchAll(/<tr><td>([^<]+)<\/td><td><span class="badge">([^<]+)<\/span><\/td><td>([^<]+)<\/td><td>([^<]*)<\/td><td>([^<]+)<\/td>/g)].map((m) => m.slice(1));
    assert.deepEqual(rows, [
      ['quiet@example.org', 'unsubscribed', 'marketing emails only', '', '2026-06-01 08:01:00 UTC'],
      ['gone@example.org', 'hard bounce', 'all emails', '550 5.1.1 &lt;gone@example.org> User unknown', '2026-06-01 08:00:00 UTC'],
    ]);
  });

  test('search by part of the address', async () => {
    const page = await owner.get(`${path}?q=GONE`);
    assert.ok(page.body.includes('gone@example.org') && !page.body.includes('quiet@example.org'));
    assert.match((await owner.get(`${path}?q=nobody`)).body, /No suppressed address matches/);
  });

  test('staff read the list but only admins remove; a removal is audited', async () => {
    const read = await staff.get(path);
    assert.equal(read.statusCode, 200);
    assert.ok(!read.body.includes('>Remove<'), 'no remove button for staff');
    const refused = await staff.post(`${path}/remove`, { email: 'gone@example.org', scope: 'all' });
    assert.equal(refused.statusCode, 403);
    assert.ok((await owner.get(path)).body.includes('>Remove<'));
    const removed = await owner.post(`${path}/remove`, { email: 'gone@example.org', scope: 'all' });
    assert.equal(removed.statusCode, 303);
    const after = await owner.get(removed.headers.location!);
    assert.ok(!after.body.includes('gone@example.org'));
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'email_suppression.removed').executeTakeFirstOrThrow();
    assert.deepEqual([entry.actor_type, entry.target_id], ['staff', 'gone@example.org']);
  });

  test('another organisation gets 404', async () => {
    const other = await seedOrganisation(t, 'Other');
    const stranger = await signedIn(t, other.ownerEmail);
    assert.equal((await stranger.get(path)).statusCode, 404);
    assert.equal((await stranger.post(`${path}/remove`, { email: 'quiet@example.org', scope: 'marketing' })).statusCode, 404);
    assert.ok((await owner.get(path)).body.includes('quiet@example.org'));
  });
});
