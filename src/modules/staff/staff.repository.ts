import type { Db, StaffSessionsTable, StaffUsersTable } from '../../db/database.js';

export async function findStaffByEmailKey(db: Db, emailKey: string): Promise<StaffUsersTable | undefined> {
  return db.selectFrom('staff_users').selectAll().where('email_key', '=', emailKey).executeTakeFirst();
}

export async function findStaffById(db: Db, id: string): Promise<StaffUsersTable | undefined> {
  return db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertStaff(db: Db, row: StaffUsersTable): Promise<void> {
  await db.insertInto('staff_users').values(row).execute();
}

export async function updateStaff(
  db: Db,
  id: string,
  values: Partial<Omit<StaffUsersTable, 'id' | 'created_at'>>,
): Promise<void> {
  await db.updateTable('staff_users').set(values).where('id', '=', id).execute();
}

/** Counts a failure in one statement, so concurrent wrong passwords cannot under-count. */
export async function incrementFailedLogins(db: Db, id: string): Promise<number> {
  const row = await db
    .updateTable('staff_users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('id', '=', id)
    .returning('failed_logins')
    .executeTakeFirst();
  return row?.failed_logins ?? 0;
}

export async function insertSession(db: Db, row: StaffSessionsTable): Promise<void> {
  await db.insertInto('staff_sessions').values(row).execute();
}

export async function findSession(db: Db, idHash: string): Promise<StaffSessionsTable | undefined> {
  return db.selectFrom('staff_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
}

export async function touchSession(db: Db, idHash: string, lastSeenAt: string): Promise<void> {
  await db.updateTable('staff_sessions').set({ last_seen_at: lastSeenAt }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('staff_sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionsOfUser(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('staff_sessions').where('user_id', '=', userId).execute();
}

export async function deleteExpiredSessions(db: Db, nowIso: string, idleCutoffIso: string): Promise<number> {
  const result = await db
    .deleteFrom('staff_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', nowIso), eb('last_seen_at', '<=', idleCutoffIso)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
