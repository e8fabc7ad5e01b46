// Process-level reliability of the outbox worker: real child processes (test/helpers/worker-process.ts)
// on the real clock, killed with SIGKILL mid-delivery, against a real SMTP server in this process.
// TESSERA_SKIP_CRASH_TESTS=1 skips them (they take about a minute); `npm test` runs them.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';
import {
  databaseAddress,
  seedCampaign,
  seededRandom,
  sleep,
  spawnWorker,
  startRecordingSmtp,
  waitUntil,
  type RecordingSmtp,
  type SeededCampaign,
  type WorkerChild,
} from '../../test/helpers/outbox-campaign.js';
import { systemClock } from '../lib/clock.js';
import { cryptoRandom } from '../lib/random.js';
import { getCampaign, settleCampaigns } from '../modules/emailing/index.js';

const SKIP = process.env.TESSERA_SKIP_CRASH_TESTS ? 'TESSERA_SKIP_CRASH_TESTS is set' : false;
// Queued on the real clock: the child workers run on it.
const systemCtx = { clock: systemClock, random: cryptoRandom, keys: { hmac: [randomBytes(32).toString('base64')], encryption: [randomBytes(32).toString('base64')] } } as const;
const messageIdOf = (rowId: string) => `<${rowId}@tessera.test>`;

const RECIPIENTS = 10_000;
const KILLS = 20;
const CONCURRENCY = 8;
const BATCH = 50;
// Short, so that the claims of a worker restarted under another id come back within the test.
const LEASE_MS = 2_000;

async function outboxRows(t: TestApp, campaignId: string) {
  return t.db.selectFrom('outbox').select(['id', 'status', 'to_email', 'message_id', 'attempts', 'last_error']).where('campaign_id', '=', campaignId).execute();
}

async function pendingCount(t: TestApp, campaignId: string): Promise<number> {
  const row = await t.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('status', 'in', ['queued', 'sending'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Right after a kill, with the child gone: every row marked sent was received (nothing is
 * recorded early), and the copies received since the previous kill whose rows are not marked
 * sent were in flight at this kill. Returns those Message-IDs.
 */
async function inFlightAtKill(t: TestApp, campaignId: string, smtp: RecordingSmtp, seen: Map<string, number>): Promise<string[]> {
  const inFlight: string[] = [];
  for (const row of await outboxRows(t, campaignId)) {
    const id = messageIdOf(row.id);
    const copies = smtp.copies.get(id) ?? 0;
    if (row.status === 'sent') assert.ok(copies >= 1, `row ${row.id} is marked sent but the server never received it`);
    else if (copies > (seen.get(id) ?? 0)) {
      assert.equal(copies - (seen.get(id) ?? 0), 1, `row ${row.id} was sent twice by one worker`);
      inFlight.push(id);
    }
    seen.set(id, copies);
  }
  return inFlight;
}

/** Worker run `n` (0-based): even runs restart under one id, odd runs under a new id each. */
function workerOptions(db: string, smtp: RecordingSmtp, n: number) {
  // The same id takes its dead claims back at once, as a restarted app node does; a new id must
  // wait for the dead worker's lease to run out.
  const workerId = n % 2 === 0 ? 'host-a' : `host-b${n}`;
  return { db, smtpPort: smtp.port, workerId, leaseMs: LEASE_MS, batchSize: BATCH, concurrency: CONCURRENCY, deferStart: true };
}

/** What the campaign scheduler does on each tick, then the campaign's status. */
async function settledStatus(t: TestApp, orgId: string, campaign: SeededCampaign): Promise<string> {
  await settleCampaigns(t.db, systemCtx);
  return (await getCampaign(t.db, orgId, campaign.eventId, campaign.campaignId)).status;
}

async function killRepeatedly(tc: TestContext, t: TestApp, orgId: string, campaign: SeededCampaign, smtp: RecordingSmtp, db: string, children: WorkerChild[]) {
  const { campaignId } = campaign;
  const seed = Number(process.env.CRASH_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  tc.diagnostic(`random seed ${seed} (CRASH_TEST_SEED=${seed} replays these kill moments)`);
  const random = seededRandom(seed);
  // Kill moments spread over the whole campaign (by recipients reached, so a slower machine
  // kills at the same places), each a random 0-100 ms after its point: SMTP traffic is not in step.
  const points = Array.from({ length: KILLS }, () => Math.floor(random() * RECIPIENTS * 0.95)).sort((a, b) => a - b);
  const seen = new Map<string, number>();
  const inFlightEvents = new Map<string, number>();
  const perKill: number[] = [];
  // The next process loads (about a second of module loading) while this one sends; its worker
  // starts only when this one is dead, as after a restart.
  children.push(spawnWorker(workerOptions(db, smtp, 0)));
  for (let kill = 0; kill < KILLS; kill++) {
    const child = children.at(-1)!;
    await child.start();
    children.push(spawnWorker(workerOptions(db, smtp, kill + 1)));
    const before = smtp.deliveries.length;
    await waitUntil(`worker run ${kill + 1} to send`, () => smtp.deliveries.length > before && smtp.copies.size >= points[kill]!, 180_000, 5);
    await sleep(random() * 100);
    await child.kill();
    // Whatever the dead process had written to its sockets has been read once they are closed.
    await waitUntil('the killed worker’s SMTP connections to close', () => smtp.openConnections() === 0, 10_000);
    assert.ok((await pendingCount(t, campaignId)) > 0, `kill ${kill + 1} came after the campaign was done: the test no longer kills mid-delivery`);
    assert.equal(await settledStatus(t, orgId, campaign), 'sending', 'the campaign is not finished while a message is queued or claimed by a dead worker');
    const inFlight = await inFlightAtKill(t, campaignId, smtp, seen);
    assert.ok(inFlight.length <= CONCURRENCY, `kill ${kill + 1}: ${inFlight.length} messages in flight, more than the worker's concurrency`);
    for (const id of inFlight) inFlightEvents.set(id, (inFlightEvents.get(id) ?? 0) + 1);
    perKill.push(inFlight.length);
  }
  tc.diagnostic(`killed at recipients reached: ${points.join(' ')}`);
  return { inFlightEvents, perKill };
}

test(
  'a worker SIGKILLed at 20 random moments of a 10,000-recipient campaign loses and skips nobody, sends twice only what was in flight at a kill, and the campaign finishes only when all is sent',
  { skip: SKIP, timeout: 300_000 },
  async (tc) => {
    const started = Date.now();
    const t = await createTestApp();
    const smtp = await startRecordingSmtp();
    const children: WorkerChild[] = [];
    try {
      const org = await seedOrganisation(t);
      const campaign = await seedCampaign(t, org.orgId, RECIPIENTS, systemCtx);
      const { campaignId, rowIds, emails } = campaign;
      const db = await databaseAddress(t);
      const { inFlightEvents, perKill } = await killRepeatedly(tc, t, org.orgId, campaign, smtp, db, children);
      const deliveredDuringKills = smtp.copies.size;

      const finalStart = Date.now();
      const last = children.at(-1)!;
      await last.start();
      await waitUntil('the campaign to finish', async () => (await pendingCount(t, campaignId)) === 0, 150_000, 100);
      await last.stop();
      tc.diagnostic(`final run: ${RECIPIENTS - deliveredDuringKills} recipients in ${((Date.now() - finalStart) / 1000).toFixed(1)} s; kill phase ${((finalStart - started) / 1000).toFixed(1)} s`);

      assert.equal(await settledStatus(t, org.orgId, campaign), 'finished');
      const rows = new Map((await outboxRows(t, campaignId)).map((r) => [r.id, r]));
      assert.equal(rows.size, RECIPIENTS);
      rowIds.forEach((rowId, i) => {
        const row = rows.get(rowId)!;
        assert.deepEqual([row.status, row.to_email, row.message_id], ['sent', emails[i], messageIdOf(rowId)], `recipient ${i}`);
        assert.ok((smtp.copies.get(messageIdOf(rowId)) ?? 0) >= 1, `recipient ${emails[i]} received nothing`);
      });
      for (const delivery of smtp.deliveries) {
        const rowId = /^<([^@]+)@/.exec(delivery.messageId)?.[1] ?? '';
        assert.deepEqual(delivery.rcptTo, [rows.get(rowId)?.to_email], `message ${delivery.messageId} went to its own recipient only`);
      }
      // Each copy beyond the first is one the server had accepted when a kill stopped the worker
      // from recording it; nothing else is sent twice.
      const duplicates = smtp.deliveries.length - smtp.copies.size;
      for (const [id, copies] of smtp.copies) assert.equal(copies - 1, inFlightEvents.get(id) ?? 0, `copies of ${id}`);
      assert.ok(duplicates <= KILLS * CONCURRENCY);
      const attempts = [...rows.values()].reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.attempts]: (acc[r.attempts] ?? 0) + 1 }), {});
      tc.diagnostic(`${t.dialect}: ${KILLS} kills, ${duplicates} duplicates (in flight per kill: ${perKill.join(' ')}; bound ${KILLS * CONCURRENCY})`);
      tc.diagnostic(`${deliveredDuringKills} recipients reached before the last restart; rows by attempts ${JSON.stringify(attempts)}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      for (const child of children) await child.kill();
      await smtp.close();
      await t.close();
    }
  },
);

test(
  'two worker processes on one PostgreSQL database send each of 2,000 messages exactly once',
  { skip: SKIP || (!process.env.TEST_DATABASE_URL && 'PostgreSQL only (one worker per SQLite database)'), timeout: 120_000 },
  async (tc) => {
    const t = await createTestApp();
    const smtp = await startRecordingSmtp();
    const children: WorkerChild[] = [];
    try {
      const org = await seedOrganisation(t);
      const db = await databaseAddress(t);
      // Both poll an empty outbox first, so they compete for the whole campaign from its start.
      for (const workerId of ['node-1', 'node-2']) children.push(spawnWorker({ db, smtpPort: smtp.port, workerId, batchSize: 20, concurrency: 8, pollMs: 20 }));
      await Promise.all(children.map((c) => c.ready));
      const { campaignId, rowIds } = await seedCampaign(t, org.orgId, 2_000, systemCtx);
      await waitUntil('the campaign to finish', async () => (await pendingCount(t, campaignId)) === 0, 90_000, 100);
      const shares = await Promise.all(children.map((c) => c.stop()));

      assert.equal(smtp.deliveries.length, 2_000, 'no message sent twice');
      assert.deepEqual([...smtp.copies.keys()].sort(), rowIds.map(messageIdOf).sort(), 'every message once');
      assert.deepEqual(shares.map((s) => s.failedSends), [0, 0]);
      assert.ok(shares.every((s) => (s.sent ?? 0) > 0), `both workers sent a share: ${shares.map((s) => s.sent).join(' + ')}`);
      tc.diagnostic(`shares: ${shares.map((s) => s.sent).join(' + ')}`);
    } finally {
      for (const child of children) await child.kill();
      await smtp.close();
      await t.close();
    }
  },
);
