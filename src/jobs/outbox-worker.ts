import type { Kysely } from 'kysely';
import { serverKeys, type Config } from '../config.js';
import type { Database, Dialect, OutboxTable } from '../db/database.js';
import type { Ctx } from '../lib/context.js';
import { canonicalEmail } from '../lib/email.js';
import { groupCommit } from '../lib/group-commit.js';
import { claimDueRows, extendLeases, markFinal, markSentMany, recordHardBounce, releaseClaimsOf, releaseForRetry, unsubscribeKey } from '../modules/emailing/index.js';
import type { MailTransport } from '../modules/mail-transport/index.js';
import { deliver, loadBatch, messageIdOf, safeReason, type DeliveryDeps, type Outcome } from './outbox-delivery.js';
import { DEFAULT_RETRY, retryDelayMs, type RetryPolicy } from './retry-policy.js';

export interface WorkerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface OutboxWorkerOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  ctx: Ctx;
  transport: MailTransport;
  /** The HMAC secret signs unsubscribe links. */
  config: Pick<Config, 'publicUrl' | 'mailFrom' | 'secrets' | 'previousSecrets'>;
  /** Stable per worker slot (e.g. host name): a restart then takes its own dead claims back at once. */
  workerId: string;
  batchSize?: number;
  /** Messages handed to the transport at the same time (it pools its SMTP connections). */
  concurrency?: number;
  /** How long a claim holds; renewed while a batch is still being sent. */
  leaseMs?: number;
  /** Wait between polls when there was nothing to do. */
  pollMs?: number;
  /** Envelope and From address; defaults to no-reply@ the public host. */
  from?: string;
  retry?: RetryPolicy;
  log: WorkerLog;
}

export interface BatchResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  bounced: number;
  skipped: number;
}

export interface OutboxWorker {
  /** Claims and processes one batch; for tests and for the loop. */
  runOnce(): Promise<BatchResult>;
  stop(): Promise<void>;
}

/** noreply@ the public host; a host like "localhost" makes no valid address, so a reserved one stands in. */
export function defaultFrom(publicUrl: URL): string {
  const address = `noreply@${publicUrl.hostname}`;
  return canonicalEmail(address) ? address : 'noreply@tessera.invalid';
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

function recorder(o: Required<Pick<OutboxWorkerOptions, 'db' | 'ctx' | 'workerId' | 'config' | 'retry'>>) {
  // Sent messages whose replies came in together share one UPDATE (a statement per message was
  // the worker's largest database cost). Each lane still waits for its own row to be recorded
  // before it takes the next message, so no more than `concurrency` messages are ever sent and
  // not yet recorded: the most a crash can send twice.
  const recordSent = groupCommit((rows: Array<{ id: string; messageId: string }>) => markSentMany(o.db, rows, o.ctx.clock.now().toISOString()));
  return async (row: OutboxTable, outcome: Outcome, result: BatchResult): Promise<void> => {
    const now = o.ctx.clock.now();
    const iso = now.toISOString();
    if (outcome.kind === 'sent') {
      result.sent += 1;
      return recordSent({ id: row.id, messageId: messageIdOf(row, o.config.publicUrl) });
    }
    if (outcome.kind === 'bounced') {
      result.bounced += 1;
      await recordHardBounce(o.db, o.ctx, row, o.workerId, outcome.reason);
      return;
    }
    if (outcome.kind === 'retry' && row.attempts < o.retry.maxAttempts) {
      result.retried += 1;
      const nextAttemptAt = new Date(now.getTime() + retryDelayMs(o.retry, row.attempts)).toISOString();
      return releaseForRetry(o.db, row.id, o.workerId, { nextAttemptAt, error: outcome.reason, now: iso });
    }
    const status = outcome.kind === 'skipped' ? 'skipped' : 'failed';
    result[status] += 1;
    const error = outcome.kind === 'retry' ? safeReason(`gave up after ${row.attempts} attempts: ${outcome.reason}`) : outcome.reason;
    return markFinal(o.db, row.id, o.workerId, { status, error, now: iso });
  };
}

/**
 * The outbox worker without its loop: claim a batch, render and send each message, record each
 * result as soon as it is known (so a crash repeats only the messages in flight at that moment).
 */
export function createOutboxWorker(options: OutboxWorkerOptions): Pick<OutboxWorker, 'runOnce'> {
  const batchSize = options.batchSize ?? 50;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const retry = options.retry ?? DEFAULT_RETRY;
  const { db, ctx, workerId, config } = options;
  const from = options.from ?? config.mailFrom ?? defaultFrom(config.publicUrl);
  const deps: DeliveryDeps = { db, ctx, transport: options.transport, publicUrl: config.publicUrl, keys: serverKeys(config), from, unsubscribeKey: unsubscribeKey(config.secrets.hmacKey) };
  const record = recorder({ db, ctx, workerId, config, retry });
  const leaseUntil = () => new Date(ctx.clock.now().getTime() + leaseMs).toISOString();

  async function runOnce(): Promise<BatchResult> {
    const now = ctx.clock.now().toISOString();
    const rows = await claimDueRows(db, options.dialect, { workerId, now, leaseUntil: leaseUntil(), limit: batchSize });
    const result: BatchResult = { claimed: rows.length, sent: 0, retried: 0, failed: 0, bounced: 0, skipped: 0 };
    if (rows.length === 0) return result;
    const heartbeat = setInterval(() => {
      extendLeases(db, workerId, { leaseUntil: leaseUntil(), now: ctx.clock.now().toISOString() }).catch((err: unknown) => options.log.warn({ err }, 'outbox lease renewal failed'));
    }, Math.max(1_000, leaseMs / 3));
    heartbeat.unref();
    try {
      const batch = await loadBatch(db, rows);
      await mapLimit(rows, options.concurrency ?? 8, async (row) => {
        // A message that keeps dying with its worker (claimed, never recorded) must end somewhere.
        const outcome: Outcome =
          row.attempts > retry.maxAttempts ? { kind: 'failed', reason: `gave up after ${row.attempts - 1} attempts that never finished` } : await deliver(deps, batch, row);
        await record(row, outcome, result);
      });
    } finally {
      clearInterval(heartbeat);
    }
    return result;
  }
  return { runOnce };
}

/** Starts polling the outbox; `stop()` lets the batch in progress finish, then returns. */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const worker = createOutboxWorker(options);
  const pollMs = options.pollMs ?? 1_000;
  let stopped = false;
  let wake: (() => void) | null = null;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function loop(): Promise<void> {
    const released = await releaseClaimsOf(options.db, options.workerId, options.ctx.clock.now().toISOString()).catch(() => 0);
    if (released > 0) options.log.info({ released }, 'outbox: took back claims left by a previous run');
    while (!stopped) {
      try {
        const result = await worker.runOnce();
        if (result.claimed < (options.batchSize ?? 50)) await pause(pollMs);
      } catch (err) {
        options.log.error({ err }, 'outbox batch failed');
        await pause(pollMs);
      }
    }
  }
  const running = loop().catch((err: unknown) => options.log.error({ err }, 'outbox worker stopped'));
  return {
    runOnce: worker.runOnce,
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
