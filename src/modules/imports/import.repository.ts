import type { Db, ImportsTable } from '../../db/database.js';
import type { Import, ImportMapping, ImportReport } from './import.types.js';

export function importFromRow(row: ImportsTable): Import {
  return {
    id: row.id,
    orgId: row.org_id,
    eventId: row.event_id,
    createdBy: row.created_by,
    fileName: row.file_name,
    sizeBytes: Number(row.size_bytes),
    hasFile: row.file_path !== '',
    mapping: row.mapping ? (JSON.parse(row.mapping) as ImportMapping) : null,
    existingPolicy: row.existing_policy,
    status: row.status,
    report: row.result ? (JSON.parse(row.result) as ImportReport) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertImport(db: Db, row: ImportsTable): Promise<void> {
  await db.insertInto('imports').values(row).execute();
}

export async function findImportRow(db: Db, orgId: string, eventId: string, id: string): Promise<ImportsTable | undefined> {
  return db
    .selectFrom('imports')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findRecentImportRows(db: Db, orgId: string, eventId: string, limit: number): Promise<ImportsTable[]> {
  return db
    .selectFrom('imports')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function updateImportRow(db: Db, orgId: string, id: string, values: Partial<ImportsTable>): Promise<void> {
  await db.updateTable('imports').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/**
 * Marks the import as done inside the import's own transaction, only if it has not run yet: a
 * second click (or a second node) waits for the row lock and then finds nothing to claim.
 */
export async function claimImportRow(db: Db, orgId: string, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('imports')
    .set({ status: 'imported', updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', 'in', ['checked', 'failed'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Uploads never imported and older than the cutoff: their files are removed. */
export async function findStaleImportRows(db: Db, before: string): Promise<Pick<ImportsTable, 'id' | 'org_id' | 'file_path'>[]> {
  return db
    .selectFrom('imports')
    .select(['id', 'org_id', 'file_path'])
    .where('status', '!=', 'imported')
    .where('created_at', '<', before)
    .where('file_path', '!=', '')
    .limit(100)
    .execute();
}
