import { insertRow } from '../../db/bulk.js';
import type { AttendeeSessionsTable, Db } from '../../db/database.js';

export async function insertSession(db: Db, row: AttendeeSessionsTable): Promise<void> {
  await insertRow(db, 'attendee_sessions', row);
}

/** The session with whether the credential that opened it has been revoked, in one lookup. */
export async function findSession(db: Db, idHash: string): Promise<(AttendeeSessionsTable & { credential_revoked_at: string | null }) | null> {
  const row = await db
    .selectFrom('attendee_sessions')
    .leftJoin('credentials', 'credentials.id', 'attendee_sessions.credential_id')
    .selectAll('attendee_sessions')
    .select('credentials.revoked_at as credential_revoked_at')
    .where('attendee_sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  return row ?? null;
}

export async function touchSession(db: Db, idHash: string, now: string): Promise<void> {
  await db.updateTable('attendee_sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('attendee_sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteParticipantSessions(db: Db, participantId: string, kinds?: readonly AttendeeSessionsTable['kind'][]): Promise<number> {
  let query = db.deleteFrom('attendee_sessions').where('participant_id', '=', participantId);
  if (kinds) query = query.where('kind', 'in', kinds);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
