import { sql, type SqlBool } from 'kysely';
import type { Db, EmailSuppressionsTable, OutboxTable } from '../../db/database.js';

export interface SuppressionCursor {
  createdAt: string;
  emailKey: string;
  scope: string;
}

export interface SuppressionQuery {
  /** Part of the address, lower case. */
  q?: string | undefined;
  after?: SuppressionCursor | undefined;
  limit: number;
}

/** Newest first; the keyset continues after (created_at, email_key, scope) of the last row seen. */
export async function findSuppressionPage(db: Db, orgId: string, query: SuppressionQuery): Promise<EmailSuppressionsTable[]> {
  let select = db.selectFrom('email_suppressions').selectAll().where('org_id', '=', orgId);
  if (query.q) select = select.where(sql<SqlBool>`email_key like ${`%${query.q.replace(/[!%_]/g, '!$&')}%`} escape '!'`);
  const after = query.after;
  if (after) {
    select = select.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb.or([eb('email_key', '>', after.emailKey), eb.and([eb('email_key', '=', after.emailKey), eb('scope', '>', after.scope as never)])])]),
      ]),
    );
  }
  return select.orderBy('created_at', 'desc').orderBy('email_key').orderBy('scope').limit(query.limit).execute();
}

export async function findSuppressionsOf(db: Db, orgId: string, emailKey: string): Promise<EmailSuppressionsTable[]> {
  return db.selectFrom('email_suppressions').selectAll().where('org_id', '=', orgId).where('email_key', '=', emailKey).execute();
}

/** Replaces a suppression of the same scope (a newer bounce, a note given again). */
export async function upsertSuppression(db: Db, row: EmailSuppressionsTable): Promise<void> {
  await db
    .insertInto('email_suppressions')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'email_key', 'scope']).doUpdateSet({ reason: row.reason, detail: row.detail, created_at: row.created_at }))
    .execute();
}

/** True when written; an address already suppressed in that scope keeps its first record. */
export async function insertSuppressionIfAbsent(db: Db, row: EmailSuppressionsTable): Promise<boolean> {
  const result = await db
    .insertInto('email_suppressions')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'email_key', 'scope']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteSuppressions(db: Db, orgId: string, emailKey: string, where: { scope?: EmailSuppressionsTable['scope']; reason?: EmailSuppressionsTable['reason'] }): Promise<number> {
  let query = db.deleteFrom('email_suppressions').where('org_id', '=', orgId).where('email_key', '=', emailKey);
  if (where.scope) query = query.where('scope', '=', where.scope);
  if (where.reason) query = query.where('reason', '=', where.reason);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Suppressions of the addresses in a batch of outbox rows, across their organisations: one query. */
export async function findSuppressionsForRows(db: Db, pairs: Array<{ orgId: string; emailKey: string }>): Promise<EmailSuppressionsTable[]> {
  if (pairs.length === 0) return [];
  const orgIds = [...new Set(pairs.map((p) => p.orgId))];
  const keys = [...new Set(pairs.map((p) => p.emailKey))];
  return db.selectFrom('email_suppressions').selectAll().where('org_id', 'in', orgIds).where('email_key', 'in', keys).execute();
}

/** The message an unsubscribe link names: whose address, in which organisation. */
export async function findOutboxRecipient(db: Db, outboxId: string): Promise<Pick<OutboxTable, 'id' | 'org_id' | 'to_email'> | undefined> {
  return db.selectFrom('outbox').select(['id', 'org_id', 'to_email']).where('id', '=', outboxId).executeTakeFirst();
}

/** Only while this worker still holds the claim, like every other result it records. */
export async function markBounced(db: Db, id: string, workerId: string, values: { error: string; now: string }): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'bounced', last_error: values.error, claimed_by: null, claimed_until: null, updated_at: values.now })
    .where('id', '=', id)
    .where('claimed_by', '=', workerId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
