import type { Db, IdempotencyKeysTable } from '../../db/database.js';

/** Inserts the claim unless (org, key) exists; returns true when this call inserted it. */
export async function insertIdempotencyClaim(db: Db, row: IdempotencyKeysTable): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findIdempotencyKey(db: Db, orgId: string, key: string): Promise<IdempotencyKeysTable | undefined> {
  return db.selectFrom('idempotency_keys').selectAll().where('org_id', '=', orgId).where('key', '=', key).executeTakeFirst();
}

export async function completeIdempotencyRow(db: Db, orgId: string, key: string, values: { status_code: number; response_body: string }): Promise<void> {
  await db.updateTable('idempotency_keys').set(values).where('org_id', '=', orgId).where('key', '=', key).execute();
}

export async function deleteIdempotencyKeysBefore(db: Db, cutoff: string, only?: { orgId: string; key: string }): Promise<number> {
  let query = db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff);
  if (only) query = query.where('org_id', '=', only.orgId).where('key', '=', only.key);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
