import type { ApiKeysTable, Db } from '../../db/database.js';
import type { ApiKey } from './api-key.types.js';

export function apiKeyFromRow(row: ApiKeysTable): ApiKey {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    displayPrefix: row.display_prefix,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function insertApiKey(db: Db, row: ApiKeysTable): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

/** Active keys first (newest first), then revoked ones. */
export async function findApiKeys(db: Db, orgId: string): Promise<ApiKey[]> {
  const rows = await db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).orderBy('id', 'desc').execute();
  return rows.map(apiKeyFromRow).sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
}

export async function findActiveApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeysTable | undefined> {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).where('revoked_at', 'is', null).executeTakeFirst();
}

/** Revokes in one statement; returns the key when this call revoked it (not when already revoked or foreign). */
export async function revokeApiKeyRow(db: Db, orgId: string, id: string, now: string): Promise<ApiKeysTable | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Records use at most once per interval: concurrent requests race on the condition, one writes. */
export async function touchApiKey(db: Db, id: string, now: string, staleBefore: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', staleBefore)]))
    .execute();
}
