import type { CheckinsTable, CheckinConflictsTable, Db } from '../../db/database.js';
import type { CheckInConflictKind, CheckInResult, ScanPerson } from './checkin.types.js';

export type CheckinRow = CheckinsTable;

/**
 * Claims a (device, nonce) pair by inserting the scan's row. Returns false when the pair was
 * already taken: the unique index decides, so two concurrent requests with one nonce cannot
 * both go on to scan (on PostgreSQL the second insert waits for the first to commit).
 */
export async function claimNonce(db: Db, row: CheckinRow): Promise<boolean> {
  const inserted = await db
    .insertInto('checkins')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'device_id', 'nonce']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findCheckinByNonce(db: Db, orgId: string, deviceId: string, nonce: string): Promise<CheckinRow | undefined> {
  return db
    .selectFrom('checkins')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('device_id', '=', deviceId)
    .where('nonce', '=', nonce)
    .executeTakeFirst();
}

export async function setCheckinResult(
  db: Db,
  id: string,
  values: { result: CheckInResult; participant_id: string | null; qr_version: number | null; first_admitted_at: string | null },
): Promise<void> {
  await db.updateTable('checkins').set(values).where('id', '=', id).execute();
}

/**
 * The admission itself: one row per person and check-in point. Insert-or-nothing rather than
 * find-then-insert, so of two simultaneous scans exactly one gets a row back.
 */
export async function tryAdmit(
  db: Db,
  row: { event_id: string; point: string; participant_id: string; org_id: string; checkin_id: string; device_id: string; admitted_at: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto('checkin_admissions')
    .values(row)
    .onConflict((oc) => oc.columns(['event_id', 'point', 'participant_id']).doNothing())
    .returning('checkin_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findAdmission(db: Db, eventId: string, point: string, participantId: string) {
  return db
    .selectFrom('checkin_admissions')
    .selectAll()
    .where('event_id', '=', eventId)
    .where('point', '=', point)
    .where('participant_id', '=', participantId)
    .executeTakeFirst();
}

export async function insertConflict(db: Db, row: CheckinConflictsTable): Promise<void> {
  await db.insertInto('checkin_conflicts').values(row).execute();
}

/** Name, status and attention note of a participant of this event; nothing else is read. */
export async function findScanPerson(db: Db, orgId: string, eventId: string, participantId: string): Promise<ScanPerson | null> {
  const row = await db
    .selectFrom('participants as p')
    .leftJoin('attention_notes as n', 'n.participant_id', 'p.id')
    .select(['p.id', 'p.first_name', 'p.last_name', 'p.status', 'n.note'])
    .where('p.org_id', '=', orgId)
    .where('p.event_id', '=', eventId)
    .where('p.id', '=', participantId)
    .executeTakeFirst();
  return row ? scanPersonOf(row) : null;
}

export function scanPersonOf(row: { id: string; first_name: string; last_name: string; status: string; note: string | null }): ScanPerson {
  return {
    id: row.id,
    displayName: `${row.first_name} ${row.last_name}`.trim(),
    status: row.status,
    attentionNote: row.note || null,
  };
}

/**
 * The offline bundle's people: minimal data, keyset by id, and (for an incremental sync) only
 * those whose name or status, attention note or code changed since `since`. The code's version
 * is read from the QR module's table in the same query: one pass over the event, not two.
 */
export async function findBundlePeople(db: Db, orgId: string, eventId: string, options: { since: string; after: string; limit: number }) {
  let query = db
    .selectFrom('participants as p')
    .leftJoin('attention_notes as n', 'n.participant_id', 'p.id')
    .leftJoin('qr_codes as q', 'q.participant_id', 'p.id')
    .select(['p.id', 'p.first_name', 'p.last_name', 'p.status', 'n.note', 'q.version'])
    .where('p.org_id', '=', orgId)
    .where('p.event_id', '=', eventId);
  if (options.after) query = query.where('p.id', '>', options.after);
  const since = options.since;
  if (since) {
    query = query.where((eb) =>
      eb.or([eb('p.updated_at', '>=', since), eb('n.updated_at', '>=', since), eb('q.created_at', '>=', since), eb('q.rotated_at', '>=', since)]),
    );
  }
  const rows = await query.orderBy('p.id').limit(options.limit).execute();
  return rows.map((row) => ({ ...scanPersonOf(row), qrVersion: row.version ?? 1 }));
}

export async function findConflictKind(db: Db, checkinId: string): Promise<CheckInConflictKind | null> {
  const row = await db.selectFrom('checkin_conflicts').select('kind').where('checkin_id', '=', checkinId).executeTakeFirst();
  return row?.kind ?? null;
}
