import type { Db, LeadCardsTable, LeadExchangesTable } from '../../db/database.js';

export async function findCardRow(db: Db, orgId: string, participantId: string): Promise<LeadCardsTable | undefined> {
  return db.selectFrom('lead_cards').selectAll().where('org_id', '=', orgId).where('participant_id', '=', participantId).executeTakeFirst();
}

export async function findCardRows(db: Db, orgId: string, participantIds: readonly string[]): Promise<LeadCardsTable[]> {
  if (participantIds.length === 0) return [];
  return db.selectFrom('lead_cards').selectAll().where('org_id', '=', orgId).where('participant_id', 'in', participantIds).execute();
}

export async function upsertCardRow(db: Db, row: LeadCardsTable): Promise<void> {
  await db
    .insertInto('lead_cards')
    .values(row)
    .onConflict((oc) => oc.column('participant_id').doUpdateSet({ share_email: row.share_email, share_fields: row.share_fields, updated_at: row.updated_at }))
    .execute();
}

/** Inserts the exchange unless the pair exists; either way returns the pair's row and whether it is new. */
export async function insertExchange(db: Db, row: LeadExchangesTable): Promise<{ row: LeadExchangesTable; created: boolean }> {
  const inserted = await db.insertInto('lead_exchanges').values(row).onConflict((oc) => oc.columns(['collector_id', 'collected_id']).doNothing()).returning('id').executeTakeFirst();
  if (inserted) return { row, created: true };
  const existing = await db
    .selectFrom('lead_exchanges')
    .selectAll()
    .where('collector_id', '=', row.collector_id)
    .where('collected_id', '=', row.collected_id)
    .executeTakeFirstOrThrow();
  return { row: existing, created: false };
}

/**
 * A participant's exchanges on one side (the cards they collected, or who collected theirs),
 * newest first. Bounded: one attendee collects tens or hundreds of cards, not more.
 */
export async function exchangesOf(db: Db, orgId: string, eventId: string, side: 'collector_id' | 'collected_id', participantId: string, limit: number): Promise<LeadExchangesTable[]> {
  return db
    .selectFrom('lead_exchanges')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where(side, '=', participantId)
    .orderBy('collected_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** One exchange, only if this collector made it. */
export async function findExchangeOf(db: Db, collectorId: string, exchangeId: string): Promise<LeadExchangesTable | undefined> {
  return db.selectFrom('lead_exchanges').selectAll().where('id', '=', exchangeId).where('collector_id', '=', collectorId).executeTakeFirst();
}

/** Only the collector's own exchange: another attendee's id updates nothing. */
export async function updateNote(db: Db, collectorId: string, exchangeId: string, note: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('lead_exchanges')
    .set({ note, note_updated_at: now })
    .where('id', '=', exchangeId)
    .where('collector_id', '=', collectorId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
