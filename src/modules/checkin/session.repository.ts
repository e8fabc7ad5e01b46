import type { Db, EventSessionsTable } from '../../db/database.js';
import type { EventSession } from './checkin.types.js';

export function sessionFromRow(row: EventSessionsTable): EventSession {
  return { id: row.id, eventId: row.event_id, title: row.title, room: row.room, startsAt: row.starts_at, endsAt: row.ends_at };
}

export async function insertSession(db: Db, row: EventSessionsTable): Promise<void> {
  await db.insertInto('event_sessions').values(row).execute();
}

export async function updateSessionRow(db: Db, orgId: string, eventId: string, id: string, values: Partial<EventSessionsTable>): Promise<void> {
  await db.updateTable('event_sessions').set(values).where('org_id', '=', orgId).where('event_id', '=', eventId).where('id', '=', id).execute();
}

export async function deleteSessionRow(db: Db, orgId: string, eventId: string, id: string): Promise<void> {
  await db.deleteFrom('event_sessions').where('org_id', '=', orgId).where('event_id', '=', eventId).where('id', '=', id).execute();
}

/** Scoped by organisation and event: a session id from elsewhere finds nothing. */
export async function findSession(db: Db, orgId: string, eventId: string, id: string): Promise<EventSession | null> {
  const row = await db
    .selectFrom('event_sessions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? sessionFromRow(row) : null;
}

/** The agenda in time order. */
export async function findSessions(db: Db, orgId: string, eventId: string): Promise<EventSession[]> {
  const rows = await db
    .selectFrom('event_sessions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .orderBy('starts_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  return rows.map(sessionFromRow);
}

export async function sessionHasCheckins(db: Db, sessionId: string): Promise<boolean> {
  const row = await db.selectFrom('checkins').select('id').where('session_id', '=', sessionId).limit(1).executeTakeFirst();
  return row !== undefined;
}
