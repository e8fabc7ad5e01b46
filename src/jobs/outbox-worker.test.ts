import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';
import { recipientOf, seedMailing, smtpError, startTestSmtp, testWorker, transportTo, type TestSmtp } from '../../test/helpers/outbox.js';
import { claimDueRows, enqueueEmail, enqueueEmails } from '../modules/emailing/index.js';
import type { MailTransport } from '../modules/mail-transport/index.js';
import { startOutboxWorker } from './outbox-worker.js';

const people = (n: number, prefix = 'person') =>
  Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.org`, firstName: `First${i}`, lastName: `Last${i}` }));

async function setup(onRcpt?: (address: string) => Error | null) {
  const t = await createTestApp();
  const org = await seedOrganisation(t);
  const smtp = await startTestSmtp(onRcpt);
  const transport = transportTo(t, smtp);
  return { t, org, smtp, transport, done: () => cleanup(t, smtp, transport) };
}

async function cleanup(t: TestApp, smtp: TestSmtp, transport: MailTransport) {
  await transport.close();
  await smtp.close();
  await t.close();
}

const outboxRow = (t: TestApp, id: string) => t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

test('an outbox row written in a rolled-back transaction is never sent', async () => {
  const { t, org, smtp, transport, done } = await setup();
  try {
    const { event, participants, template } = await seedMailing(t, org.orgId, people(2));
    const [kept, rolledBack] = participants;
    const input = (p: typeof kept) => ({ orgId: org.orgId, eventId: event.id, templateId: template.id, category: 'transactional' as const, recipient: recipientOf(p!) });
    await assert.rejects(
      t.db.transaction().execute(async (trx) => {
        await enqueueEmail(trx, t.ctx, input(rolledBack));
        throw new Error('the change that caused the email failed');
      }),
      /failed/,
    );
    await t.db.transaction().execute((trx) => enqueueEmail(trx, t.ctx, input(kept)));
    const result = await testWorker(t, transport).runOnce();
    assert.equal(result.sent, 1);
    assert.deepEqual(smtp.received.map((m) => m.rcptTo), [[kept!.email]]);
    assert.equal((await t.db.selectFrom('outbox').selectAll().execute()).length, 1);
  } finally {
    await done();
  }
});

test('transactional messages are claimed before campaign messages', async () => {
  const { t, org, smtp, transport, done } = await setup();
  try {
    const { event, participants, template } = await seedMailing(t, org.orgId, people(5));
    const base = { orgId: org.orgId, eventId: event.id, templateId: template.id };
    // The campaign is queued first: age alone would put it ahead.
    await enqueueEmails(t.db, t.ctx, { ...base, category: 'campaign', messages: participants.slice(0, 3).map((p) => ({ recipient: recipientOf(p) })) });
    t.clock.advance(60_000);
    for (const p of participants.slice(3)) await enqueueEmail(t.db, t.ctx, { ...base, category: 'transactional', recipient: recipientOf(p) });
    const worker = testWorker(t, transport, { batchSize: 2 });
    assert.equal((await worker.runOnce()).sent, 2);
    assert.deepEqual(smtp.received.map((m) => m.rcptTo[0]).sort(), ['person3@example.org', 'person4@example.org']);
    assert.equal((await worker.runOnce()).sent, 2);
    assert.deepEqual(smtp.received.slice(2).map((m) => m.rcptTo[0]), ['person0@example.org', 'person1@example.org'], 'then campaign mail, oldest first');
  } finally {
    await done();
  }
});

test("a temporary failure is retried with growing back-off and a permanent one is marked failed with the server's reason", async () => {
  let busyRefusals = 2;
  const { t, org, smtp, transport, done } = await setup((address) => {
    if (address.startsWith('busy') && busyRefusals-- > 0) return smtpError(451, '4.3.0 Mailbox busy, try again later');
    // A policy refusal: permanent, but about this message, not the mailbox (a bounce is in src/jobs/bounces.test.ts).
    if (address.startsWith('gone')) return smtpError(550, '5.7.1 Refused by local policy');
    if (address.startsWith('never')) return smtpError(421, '4.4.2 Always down');
    return null;
  });
  try {
    const { event, participants, template } = await seedMailing(t, org.orgId, [
      { email: 'busy@example.org', firstName: 'Busy', lastName: 'B' },
      { email: 'gone@example.org', firstName: 'Gone', lastName: 'G' },
      { email: 'never@example.org', firstName: 'Never', lastName: 'N' },
    ]);
    const ids: string[] = [];
    for (const p of participants) {
      ids.push((await enqueueEmail(t.db, t.ctx, { orgId: org.orgId, eventId: event.id, templateId: template.id, category: 'transactional', recipient: recipientOf(p) })).id);
    }
    const [busy, gone, never] = ids as [string, string, string];
    const worker = testWorker(t, transport, { retry: { baseMs: 60_000, maxDelayMs: 3_600_000, maxAttempts: 3 } });
    const start = t.clock.now().getTime();
    const at = (ms: number) => new Date(start + ms).toISOString();

    assert.deepEqual(await worker.runOnce(), { claimed: 3, sent: 0, retried: 2, failed: 1, bounced: 0, skipped: 0 });
    const failed = await outboxRow(t, gone);
    assert.equal(failed.status, 'failed');
    assert.match(failed.last_error ?? '', /550.*5\.7\.1 Refused by local policy/);
    const first = await outboxRow(t, busy);
    assert.deepEqual([first.status, first.attempts, first.next_attempt_at], ['queued', 1, at(60_000)]);
    assert.match(first.last_error ?? '', /451/);

    t.clock.advance(59_000);
    assert.equal((await worker.runOnce()).claimed, 0, 'nothing is retried before its time');
    t.clock.advance(1_000);
    assert.equal((await worker.runOnce()).retried, 2);
    assert.equal((await outboxRow(t, busy)).next_attempt_at, at(60_000 + 120_000), 'the second wait is twice the first');

    t.clock.advance(120_000);
    const third = await worker.runOnce();
    assert.deepEqual([third.sent, third.failed], [1, 1]);
    const sent = await outboxRow(t, busy);
    assert.deepEqual([sent.status, sent.attempts, sent.last_error], ['sent', 3, null]);
    assert.equal(sent.message_id, `<${busy}@tessera.test>`);
    const givenUp = await outboxRow(t, never);
    assert.equal(givenUp.status, 'failed');
    assert.match(givenUp.last_error ?? '', /gave up after 3 attempts.*4\.4\.2 Always down/);
    assert.deepEqual(smtp.received.map((m) => m.messageId), [`<${busy}@tessera.test>`], 'one copy, with the row\'s Message-ID');
  } finally {
    await done();
  }
});

test("a crashed worker's claimed rows are sent after their lease expires", async () => {
  const { t, org, smtp, transport, done } = await setup();
  try {
    const { event, participants, template } = await seedMailing(t, org.orgId, people(3));
    await enqueueEmails(t.db, t.ctx, { orgId: org.orgId, eventId: event.id, templateId: template.id, category: 'campaign', messages: participants.map((p) => ({ recipient: recipientOf(p) })) });
    // Worker "dead" claims every row, then dies before sending anything.
    const now = t.clock.now();
    const leaseUntil = new Date(now.getTime() + 5 * 60_000).toISOString();
    assert.equal((await claimDueRows(t.db, t.dialect, { workerId: 'dead', now: now.toISOString(), leaseUntil, limit: 10 })).length, 3);

    const survivor = testWorker(t, transport, { workerId: 'survivor' });
    assert.equal((await survivor.runOnce()).claimed, 0, 'a live lease is respected');
    t.clock.advance(5 * 60_000);
    const result = await survivor.runOnce();
    assert.deepEqual([result.claimed, result.sent], [3, 3]);
    assert.equal(smtp.received.length, 3);
    const rows = await t.db.selectFrom('outbox').selectAll().execute();
    assert.ok(rows.every((r) => r.status === 'sent' && r.attempts === 2 && r.claimed_by === null));
  } finally {
    await done();
  }
});

test('a restarted worker takes back the claims its previous run left, without waiting for the lease', async () => {
  const { t, org, smtp, transport, done } = await setup();
  try {
    const { event, participants, template } = await seedMailing(t, org.orgId, people(2));
    await enqueueEmails(t.db, t.ctx, { orgId: org.orgId, eventId: event.id, templateId: template.id, category: 'campaign', messages: participants.map((p) => ({ recipient: recipientOf(p) })) });
    const now = t.clock.now();
    await claimDueRows(t.db, t.dialect, { workerId: 'host-1', now: now.toISOString(), leaseUntil: new Date(now.getTime() + 300_000).toISOString(), limit: 10 });
    const silent = { info: () => {}, warn: () => {}, error: () => {} };
    const worker = startOutboxWorker({ db: t.db, dialect: t.dialect, ctx: t.ctx, transport, config: t.config, workerId: 'host-1', pollMs: 20, log: silent });
    for (let i = 0; i < 200 && smtp.received.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await worker.stop();
    assert.equal(smtp.received.length, 2);
  } finally {
    await done();
  }
});

test('on PostgreSQL two workers never claim the same row', { skip: !process.env.TEST_DATABASE_URL && 'PostgreSQL only (one worker per SQLite database)' }, async () => {
  const { t, org, smtp, transport, done } = await setup();
  try {
    const { event, participants, template } = await seedMailing(t, org.orgId, people(120));
    await enqueueEmails(t.db, t.ctx, { orgId: org.orgId, eventId: event.id, templateId: template.id, category: 'campaign', messages: participants.map((p) => ({ recipient: recipientOf(p) })) });
    const workers = ['pg-a', 'pg-b', 'pg-c'].map((workerId) => testWorker(t, transport, { workerId, batchSize: 7, concurrency: 2 }));
    const claimedBy = new Map<string, number>();
    await Promise.all(
      workers.map(async (worker, index) => {
        for (;;) {
          const result = await worker.runOnce();
          if (result.claimed === 0) return;
          claimedBy.set(String(index), (claimedBy.get(String(index)) ?? 0) + result.claimed);
        }
      }),
    );
    const ids = smtp.received.map((m) => m.messageId);
    assert.equal(ids.length, 120);
    assert.equal(new Set(ids).size, 120, 'every message exactly once');
    assert.ok(claimedBy.size >= 2, 'the workers really ran side by side');
  } finally {
    await done();
  }
});
