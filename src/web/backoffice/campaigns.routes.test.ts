import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../app.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing, smtpError, startTestSmtp, testWorker, transportTo, type TestSmtp } from '../../../test/helpers/outbox.js';
import { createCampaignScheduler } from '../../jobs/campaign-scheduler.js';
import { cryptoRandom } from '../../lib/random.js';
import type { MailTransport } from '../../modules/mail-transport/index.js';
import { listParticipants } from '../../modules/participants/index.js';

const DIETS = ['none', 'vegan', 'halal'];
const STATUSES = ['registered', 'registered', 'invited', 'declined'] as const;
const people = Array.from({ length: 24 }, (_, i) => ({
  email: `${i % 6 === 5 ? 'bounce' : 'guest'}${i}@example.org`,
  firstName: `Guest${i}`,
  lastName: `Number${i}`,
  status: STATUSES[i % 4],
  fields: { diet: DIETS[i % 3]!, company: i % 2 ? 'Acme' : 'Globex' },
}));
const FIELDS = [
  { key: 'diet', label: 'Diet', type: 'single_choice' as const, options: DIETS },
  { key: 'company', label: 'Company', type: 'text' as const },
];

describe('campaigns in the back-office', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let smtp: TestSmtp;
  let transport: MailTransport;
  let seeded: Awaited<ReturnType<typeof seedMailing>>;
  let base: string;
  // Mail to bounce* addresses is refused permanently (by policy, so not a hard bounce that would
  // suppress them) until a test lets it through.
  let refuseBounces = true;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    smtp = await startTestSmtp((address) => (refuseBounces && address.startsWith('bounce') ? smtpError(550, '5.7.1 Refused by policy') : null));
    transport = transportTo(t, smtp);
    seeded = await seedMailing(t, org.orgId, people, undefined, FIELDS);
    base = `/admin/o/${org.orgId}/events/${seeded.event.id}/campaigns`;
  });
  after(async () => {
    // After the restart test, t.app is the second app; t.close() closes the first one.
    await t.app.close();
    await transport.close();
    await smtp.close();
    await t.close();
  });

  async function create(fields: Record<string, string | string[]>, session = owner): Promise<string> {
    const response = await session.post(base, { name: 'Campaign', template_id: seeded.template.id, ...fields });
    assert.equal(response.statusCode, 303, response.body.slice(0, 500));
    return /campaigns\/([0-9a-z]{26})/.exec(response.headers.location ?? '')![1]!;
  }

  const campaignRow = (id: string) => t.db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const outboxOf = (id: string) => t.db.selectFrom('outbox').selectAll().where('campaign_id', '=', id).orderBy('id').execute();
  const worker = (batchSize = 50) => testWorker(t, transport, { batchSize });
  const scheduler = () => createCampaignScheduler({ db: t.db, dialect: t.dialect, ctx: t.ctx });
  /** Sends whatever earlier tests left queued, so each test counts only its own messages. */
  async function drain() {
    while ((await worker().runOnce()).claimed > 0);
  }
  const deliveredTo = (id: string) => outboxOf(id).then((rows) => rows.filter((r) => r.status === 'sent').map((r) => r.to_email));

  test("a campaign's recipient count matches the audience filter", async () => {
    const vegans = await listParticipants(t.db, t.dialect, org.orgId, seeded.event.id, { statuses: ['registered'], fields: { diet: 'vegan' }, limit: 500 });
    assert.ok(vegans.total > 0);
    // The participants list's current filter, passed on as its query string.
    const form = await owner.get(`${base}/new?status=registered&f=diet:vegan&q=`);
    assert.match(form.body, /<input type="checkbox" name="status" value="registered" checked/);
    assert.match(form.body, /<option value="vegan" selected/);
    const id = await create({ status: 'registered', 'cf.diet': 'vegan' });
    const page = await owner.get(`${base}/${id}`);
    assert.ok(page.body.includes(`<b>${vegans.total}</b> participants match this audience now`), 'the count before sending');
    assert.ok(page.body.includes(`Send now to ${vegans.total} participants`));
    assert.equal((await owner.post(`${base}/${id}/send`, {})).statusCode, 303);
    const rows = await outboxOf(id);
    assert.deepEqual(rows.map((r) => r.recipient_id).sort(), vegans.items.map((p) => p.id).sort(), 'exactly the filtered participants');
    assert.equal((await campaignRow(id)).recipient_count, vegans.total);

    const chosen = seeded.participants.slice(0, 3).map((p) => p.id);
    const selection = await create({ ids: `${chosen.join('\n')}\n`, status: 'declined' });
    assert.ok((await owner.get(`${base}/${selection}`)).body.includes('<b>3</b> participants match'), 'an explicit selection, filters aside');
    const everyone = await create({ q: 'acme' });
    assert.ok((await owner.get(`${base}/${everyone}`)).body.includes('<b>12</b> participants match'), 'the search text, every status');
    const bad = await owner.post(base, { name: 'Bad', template_id: seeded.template.id, ids: 'not-an-id' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Not participant ids: not-an-id/);
    assert.match(bad.body, /value="Bad"/, 'what was typed is kept');
  });

  test('a scheduled campaign is sent when its time comes (fake clock), not before, and survives a restart of the app', async () => {
    const id = await create({ status: 'invited' });
    // 2026-06-02 10:00 in Paris (CEST, UTC+2) is 08:00 UTC.
    const scheduled = await owner.post(`${base}/${id}/schedule`, { scheduled_at: '2026-06-02T10:00' });
    assert.equal(scheduled.statusCode, 303);
    assert.deepEqual([(await campaignRow(id)).status, (await campaignRow(id)).scheduled_at], ['scheduled', '2026-06-02T08:00:00.000Z']);
    assert.equal((await scheduler().runOnce()).started, 0);
    t.clock.set('2026-06-02T07:59:59.999Z');
    assert.equal((await scheduler().runOnce()).started, 0, 'not a millisecond early');
    assert.equal((await outboxOf(id)).length, 0);

    // A restart: the app and scheduler that saw the schedule are gone; new ones read the database.
    await t.app.close();
    const app = await buildApp({ config: t.config, db: t.db, dialect: t.dialect, clock: t.clock, random: cryptoRandom });
    t = { ...t, app };
    owner = await signedIn(t, org.ownerEmail);
    t.clock.set('2026-06-02T08:00:00.000Z');
    assert.equal((await scheduler().runOnce()).started, 1);
    assert.equal((await scheduler().runOnce()).started, 0, 'started once');
    assert.equal((await campaignRow(id)).status, 'sending');
    await worker().runOnce();
    await scheduler().runOnce();
    assert.equal((await campaignRow(id)).status, 'finished');
    const invited = people.filter((p) => p.status === 'invited').map((p) => p.email);
    assert.deepEqual((await deliveredTo(id)).sort(), invited.filter((e) => !e.startsWith('bounce')).sort());
    assert.match((await owner.get(`${base}/${id}`)).body, /<span class="badge">finished<\/span>/);
  });

  test('pause stops delivery, resume continues, cancel cancels the rest', async () => {
    await drain();
    refuseBounces = false;
    const id = await create({ q: 'guest' });
    await owner.post(`${base}/${id}/send`, {});
    assert.equal((await worker(3).runOnce()).sent, 3);
    assert.equal((await owner.post(`${base}/${id}/pause`, {})).statusCode, 303);
    assert.equal((await worker().runOnce()).claimed, 0, 'nothing is claimed while paused');
    const page = await owner.get(`${base}/${id}`);
    assert.match(page.body, /<b>21<\/b>held \(paused\)/);

    // A message the worker puts back in the queue during the pause (a retry) is held again.
    const [row] = (await outboxOf(id)).filter((r) => r.status === 'queued');
    await t.db.updateTable('outbox').set({ next_attempt_at: t.clock.now().toISOString() }).where('id', '=', row!.id).execute();
    assert.equal((await scheduler().runOnce()).held, 1);
    assert.equal((await worker().runOnce()).claimed, 0);

    assert.equal((await owner.post(`${base}/${id}/resume`, {})).statusCode, 303);
    assert.equal((await worker(3).runOnce()).sent, 3, 'delivery continues');
    assert.equal((await owner.post(`${base}/${id}/cancel`, {})).statusCode, 303);
    assert.equal((await worker().runOnce()).claimed, 0, 'nothing left to send');
    const statuses = (await outboxOf(id)).map((r) => r.status);
    assert.deepEqual([statuses.filter((s) => s === 'sent').length, statuses.filter((s) => s === 'cancelled').length], [6, 18]);
    await scheduler().runOnce();
    assert.equal((await campaignRow(id)).status, 'cancelled');
    const again = await owner.post(`${base}/${id}/resume`, {});
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /Only a paused campaign can be resumed/);
    refuseBounces = true;
  });

  test('retry failed re-queues only failed rows', async () => {
    await drain();
    const id = await create({ status: 'registered' });
    await owner.post(`${base}/${id}/send`, {});
    await worker().runOnce();
    await scheduler().runOnce();
    assert.equal((await campaignRow(id)).status, 'finished');
    const first = await outboxOf(id);
    const failed = first.filter((r) => r.status === 'failed');
    assert.ok(failed.length > 0 && failed.every((r) => r.to_email.startsWith('bounce')));
    const page = await owner.get(`${base}/${id}?status=failed`);
    assert.match(page.body, /550 5\.7\.1 Refused by policy/, 'the failure reason per recipient');

    refuseBounces = false;
    assert.equal((await owner.post(`${base}/${id}/retry`, {})).statusCode, 303);
    const requeued = await outboxOf(id);
    for (const row of requeued) {
      const before = first.find((r) => r.id === row.id)!;
      if (before.status === 'failed') assert.deepEqual([row.status, row.attempts], ['queued', 0]);
      else assert.deepEqual(row, before, 'other rows untouched');
    }
    assert.equal((await campaignRow(id)).status, 'sending');
    assert.equal((await worker().runOnce()).sent, failed.length);
    await scheduler().runOnce();
    assert.equal((await campaignRow(id)).status, 'finished');
    refuseBounces = true;
  });

  test('staff follow campaigns; only admins create and send', async () => {
    const staff = await signedIn(t, (await seedStaff(t, org.orgId, 'staff')).email);
    const id = await create({ status: 'declined' });
    assert.equal((await staff.get(base)).statusCode, 200);
    const page = await staff.get(`${base}/${id}`);
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('Send now'), 'no send button for staff');
    assert.equal((await staff.get(`${base}/new`)).statusCode, 403);
    assert.equal((await staff.post(`${base}/${id}/send`, {})).statusCode, 403);
    assert.equal((await outboxOf(id)).length, 0);
  });

  test('another organisation gets 404 on campaigns', async () => {
    const id = await create({ status: 'declined' });
    const other = await seedOrganisation(t, 'Other Org');
    const stranger = await signedIn(t, other.ownerEmail);
    for (const url of [base, `${base}/new`, `${base}/${id}`]) assert.equal((await stranger.get(url)).statusCode, 404, url);
    for (const action of ['send', 'pause', 'cancel', 'retry']) assert.equal((await stranger.post(`${base}/${id}/${action}`, {})).statusCode, 404, action);
    assert.equal((await stranger.post(base, { name: 'x', template_id: seeded.template.id })).statusCode, 404);
    const theirs = await seedMailing(t, other.orgId, []);
    const theirBase = `/admin/o/${other.orgId}/events/${theirs.event.id}/campaigns`;
    assert.equal((await stranger.get(`${theirBase}/${id}`)).statusCode, 404, 'our campaign id under their event');
    const borrowed = await stranger.post(theirBase, { name: 'x', template_id: seeded.template.id });
    assert.equal(borrowed.statusCode, 400, 'our template cannot be used from their event');
    assert.equal((await campaignRow(id)).status, 'draft');
  });
});
