import type { Db, QrCodesTable, QrEventKeysTable } from '../../db/database.js';

export async function findEventKey(db: Db, orgId: string, eventId: string): Promise<QrEventKeysTable | undefined> {
  return db.selectFrom('qr_event_keys').selectAll().where('org_id', '=', orgId).where('event_id', '=', eventId).executeTakeFirst();
}

/** Two first uses racing: the loser's insert does nothing and both read the winner's key. */
export async function insertEventKey(db: Db, row: QrEventKeysTable): Promise<void> {
  await db.insertInto('qr_event_keys').values(row).onConflict((oc) => oc.doNothing()).execute();
}

/**
 * The next revocation number of the event. The update holds the key row's lock until the caller's
 * transaction ends, so numbers are committed in the order they are taken: a reader that has seen
 * number n has seen every number below it.
 */
export async function nextRevocationSeq(db: Db, eventId: string): Promise<number> {
  const row = await db
    .updateTable('qr_event_keys')
    .set((eb) => ({ revocation_seq: eb('revocation_seq', '+', 1) }))
    .where('event_id', '=', eventId)
    .returning('revocation_seq')
    .executeTakeFirstOrThrow();
  return Number(row.revocation_seq);
}

export async function findQrRow(db: Db, orgId: string, eventId: string, participantId: string): Promise<QrCodesTable | undefined> {
  return db
    .selectFrom('qr_codes')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('participant_id', '=', participantId)
    .executeTakeFirst();
}

/** False when the row was not written: the participant already has one, or the lead id is taken. */
export async function insertQrRow(db: Db, row: QrCodesTable): Promise<boolean> {
  const inserted = await db.insertInto('qr_codes').values(row).onConflict((oc) => oc.doNothing()).returning('participant_id').execute();
  return inserted.length === 1;
}

export async function bumpVersion(db: Db, orgId: string, participantId: string, seq: number, now: string): Promise<number> {
  const row = await db
    .updateTable('qr_codes')
    .set((eb) => ({ version: eb('version', '+', 1), change_seq: seq, rotated_at: now }))
    .where('org_id', '=', orgId)
    .where('participant_id', '=', participantId)
    .returning('version')
    .executeTakeFirstOrThrow();
  return Number(row.version);
}

/** Rows of these participants whose cancelled flag differs from `cancelled`. */
export async function rowsToFlag(db: Db, eventId: string, participantIds: readonly string[], cancelled: boolean): Promise<string[]> {
  if (participantIds.length === 0) return [];
  const rows = await db
    .selectFrom('qr_codes')
    .select('participant_id')
    .where('event_id', '=', eventId)
    .where('participant_id', 'in', participantIds)
    .where('cancelled', '=', cancelled ? 0 : 1)
    .execute();
  return rows.map((r) => r.participant_id);
}

export async function setCancelled(db: Db, eventId: string, participantIds: readonly string[], cancelled: boolean, seq: number): Promise<void> {
  await db
    .updateTable('qr_codes')
    .set({ cancelled: cancelled ? 1 : 0, change_seq: seq })
    .where('event_id', '=', eventId)
    .where('participant_id', 'in', participantIds)
    .execute();
}

export interface RevocationCursor {
  seq: number;
  participantId: string;
}

export async function findRevocations(db: Db, orgId: string, eventId: string, after: RevocationCursor, limit: number): Promise<QrCodesTable[]> {
  return db
    .selectFrom('qr_codes')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('change_seq', 'is not', null)
    .where((eb) =>
      eb.or([eb('change_seq', '>', after.seq), eb.and([eb('change_seq', '=', after.seq), eb('participant_id', '>', after.participantId)])]),
    )
    .orderBy('change_seq')
    .orderBy('participant_id')
    .limit(limit)
    .execute();
}

export async function findParticipantIdByLead(db: Db, orgId: string, eventId: string, leadId: string): Promise<string | null> {
  const row = await db
    .selectFrom('qr_codes')
    .select('participant_id')
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('lead_id', '=', leadId)
    .executeTakeFirst();
  return row?.participant_id ?? null;
}
