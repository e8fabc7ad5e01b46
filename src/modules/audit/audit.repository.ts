import type { Db } from '../../db/database.js';
import type { AuditLogTable } from '../../db/database.js';

export async function insertAuditEntry(db: Db, row: AuditLogTable): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

export interface AuditQuery {
  orgId: string;
  targetType?: string | undefined;
  targetId?: string | undefined;
  action?: string | undefined;
  /** Keyset cursor: entries strictly older than this id. */
  before?: string | undefined;
  limit: number;
}

export async function findAuditEntries(db: Db, q: AuditQuery): Promise<AuditLogTable[]> {
  let query = db.selectFrom('audit_log').selectAll().where('org_id', '=', q.orgId);
  if (q.targetType) query = query.where('target_type', '=', q.targetType);
  if (q.targetId) query = query.where('target_id', '=', q.targetId);
  if (q.action) query = query.where('action', 'like', `${q.action.replace(/[%_\\]/g, '')}%`);
  if (q.before) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}
