import { sql } from 'kysely';
import { insertMany } from '../../db/bulk.js';
import type { Db, Dialect, EmailSuppressionsTable, OutboxStatus, OutboxTable } from '../../db/database.js';

export async function insertOutboxRows(db: Db, rows: OutboxTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await insertMany(db, 'outbox', rows.slice(i, i + 500));
}

export interface ClaimOptions {
  workerId: string;
  now: string;
  /** The lease: an unfinished claim becomes claimable again after this time. */
  leaseUntil: string;
  limit: number;
}

// Literal statuses, not parameters: the planner must see that the query matches the partial index.
const DUE = sql`status in ('queued', 'sending') and next_attempt_at <= `;
const ORDER = sql`order by priority, next_attempt_at, id`;

/**
 * Claims up to `limit` due rows: queued rows whose time has come, and rows whose sender's lease
 * ran out (that worker died). Lower priority first, then the longest-waiting. The lease end goes
 * into next_attempt_at too, so one index range finds both kinds of due rows.
 * PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint rows without waiting.
 * SQLite: one statement under the database's single writer lock (one worker per database).
 */
export async function claimDueRows(db: Db, dialect: Dialect, o: ClaimOptions): Promise<OutboxTable[]> {
  const set = sql`status = 'sending', claimed_by = ${o.workerId}, claimed_until = ${o.leaseUntil},
    next_attempt_at = ${o.leaseUntil}, attempts = attempts + 1, updated_at = ${o.now}`;
  const query =
    dialect === 'postgres'
      ? sql<OutboxTable>`with due as (select id from outbox where ${DUE}${o.now} ${ORDER} limit ${o.limit} for update skip locked)
          update outbox set ${set} from due where outbox.id = due.id returning outbox.*`
      : sql<OutboxTable>`update outbox set ${set}
          where id in (select id from outbox where ${DUE}${o.now} ${ORDER} limit ${o.limit}) returning *`;
  const { rows } = await query.execute(db);
  // RETURNING gives no order guarantee.
  return rows.sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Rows whose messages went out, in one statement (the worker records the messages whose replies
 * came in together at once), each with its own Message-ID. Recorded whoever holds the claim now:
 * the message did go out, and saying so avoids a resend.
 */
export async function markSentMany(db: Db, rows: Array<{ id: string; messageId: string }>, now: string): Promise<void> {
  if (rows.length === 0) return;
  const messageIds = sql.join(rows.map((row) => sql`when ${row.id} then ${row.messageId}`), sql` `);
  await db
    .updateTable('outbox')
    .set({ status: 'sent', message_id: sql<string>`case id ${messageIds} end`, sent_at: now, last_error: null, claimed_by: null, claimed_until: null, updated_at: now })
    .where('id', 'in', rows.map((row) => row.id))
    .execute();
}

/** Only while this worker still holds the claim: another worker may have taken the row over. */
export async function releaseForRetry(db: Db, id: string, workerId: string, values: { nextAttemptAt: string; error: string; now: string }): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'queued', next_attempt_at: values.nextAttemptAt, last_error: values.error, claimed_by: null, claimed_until: null, updated_at: values.now })
    .where('id', '=', id)
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .execute();
}

export async function markFinal(db: Db, id: string, workerId: string, values: { status: Extract<OutboxStatus, 'failed' | 'skipped'>; error: string; now: string }): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: values.status, last_error: values.error, claimed_by: null, claimed_until: null, updated_at: values.now })
    .where('id', '=', id)
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .execute();
}

/** Keeps this worker's claims alive while a slow batch is still being sent. */
export async function extendLeases(db: Db, workerId: string, values: { leaseUntil: string; now: string }): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ claimed_until: values.leaseUntil, next_attempt_at: values.leaseUntil, updated_at: values.now })
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .execute();
}

/**
 * Makes the claims a previous run of this worker left behind due at once: a restarted worker
 * need not wait for its own dead leases to run out.
 */
export async function releaseClaimsOf(db: Db, workerId: string, now: string): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'queued', next_attempt_at: now, claimed_by: null, claimed_until: null, updated_at: now })
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findOutboxRow(db: Db, orgId: string, id: string): Promise<OutboxTable | undefined> {
  return db.selectFrom('outbox').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function countCampaignStatuses(db: Db, orgId: string, campaignId: string): Promise<Partial<Record<OutboxStatus, number>>> {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId)
    .where('org_id', '=', orgId)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export async function findSuppressions(db: Db, orgId: string, emailKeys: string[]): Promise<EmailSuppressionsTable[]> {
  const found: EmailSuppressionsTable[] = [];
  for (let i = 0; i < emailKeys.length; i += 500) {
    const keys = emailKeys.slice(i, i + 500);
    found.push(...(await db.selectFrom('email_suppressions').selectAll().where('org_id', '=', orgId).where('email_key', 'in', keys).execute()));
  }
  return found;
}

export async function insertSuppression(db: Db, row: EmailSuppressionsTable): Promise<void> {
  await db
    .insertInto('email_suppressions')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'email_key', 'scope']).doUpdateSet({ reason: row.reason, created_at: row.created_at }))
    .execute();
}

export async function deleteSuppression(db: Db, orgId: string, emailKey: string, scope: EmailSuppressionsTable['scope']): Promise<void> {
  await db.deleteFrom('email_suppressions').where('org_id', '=', orgId).where('email_key', '=', emailKey).where('scope', '=', scope).execute();
}
