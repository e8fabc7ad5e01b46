import { insertMany } from '../../db/bulk.js';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { AuditLogTable } from '../../db/database.js';

export async function insertAuditEntries(db: Db, rows: AuditLogTable[]): Promise<void> {
  await insertMany(db, 'audit_log', rows);
}

export interface AuditQuery {
  orgId: string;
  targetType?: string | undefined;
  targetId?: string | undefined;
  /** Action prefix, e.g. `staff.` or `staff.role_changed`. */
  action?: string | undefined;
  /**
   * Staff accounts whose account-level entries (sign-ins, password changes: written without an
   * organisation) are shown too, typically the organisation's current members.
   */
  accountsOf?: readonly string[] | undefined;
  /** Keyset cursor: entries strictly older than this id. */
  before?: string | undefined;
  limit: number;
}

export async function findAuditEntries(db: Db, q: AuditQuery): Promise<AuditLogTable[]> {
  const accounts = q.accountsOf ?? [];
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .where((eb) =>
      accounts.length === 0
        ? eb('org_id', '=', q.orgId)
        : eb.or([
            eb('org_id', '=', q.orgId),
            eb.and([eb('org_id', 'is', null), eb('target_type', '=', 'staff'), eb('target_id', 'in', accounts)]),
          ]),
    );
  if (q.targetType) query = query.where('target_type', '=', q.targetType);
  if (q.targetId) query = query.where('target_id', '=', q.targetId);
  // Escaped rather than stripped: `_` is part of real actions (staff.role_changed).
  if (q.action) query = query.where(sql<boolean>`action like ${`${q.action.replace(/[!%_]/g, '!$&')}%`} escape '!'`);
  if (q.before) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}
