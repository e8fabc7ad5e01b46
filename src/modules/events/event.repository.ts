import type { Db, EventsTable } from '../../db/database.js';
import type { Event } from './event.types.js';

export function eventFromRow(row: EventsTable): Event {
  return {
    id: row.id,
    orgId: row.org_id,
    slug: row.slug,
    name: row.name,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    timeZone: row.time_zone,
    venue: row.venue,
    status: row.status,
    registrationOpen: row.registration_open === 1,
    tellKnownEmails: row.tell_known_emails === 1,
    rsvpClosesAt: row.rsvp_closes_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertEvent(db: Db, row: EventsTable): Promise<void> {
  await db.insertInto('events').values(row).execute();
}

export async function updateEventRow(db: Db, orgId: string, id: string, values: Partial<EventsTable>): Promise<void> {
  await db.updateTable('events').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Always scoped by organisation: an id from another tenant finds nothing. */
export async function findEvent(db: Db, orgId: string, id: string): Promise<Event | null> {
  const row = await db.selectFrom('events').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row ? eventFromRow(row) : null;
}

/** Unscoped: only for attendee pages, whose URL carries the event id and nothing else. */
export async function findEventById(db: Db, id: string): Promise<Event | null> {
  const row = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? eventFromRow(row) : null;
}

export async function findEventBySlug(db: Db, orgId: string, slug: string): Promise<Event | null> {
  const row = await db.selectFrom('events').selectAll().where('org_id', '=', orgId).where('slug', '=', slug).executeTakeFirst();
  return row ? eventFromRow(row) : null;
}

/** Newest first, for the back-office list. */
export async function findEvents(db: Db, orgId: string): Promise<Event[]> {
  const rows = await db.selectFrom('events').selectAll().where('org_id', '=', orgId).orderBy('starts_at', 'desc').execute();
  return rows.map(eventFromRow);
}

/** Stable id order with a keyset cursor, for API pagination. */
export async function findEventsPage(db: Db, orgId: string, options: { after?: string | undefined; limit: number }): Promise<Event[]> {
  let query = db.selectFrom('events').selectAll().where('org_id', '=', orgId);
  if (options.after) query = query.where('id', '>', options.after);
  const rows = await query.orderBy('id', 'asc').limit(options.limit).execute();
  return rows.map(eventFromRow);
}
