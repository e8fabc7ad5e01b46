import type { Kysely } from 'kysely';

/**
 * Lead exchange (business cards). lead_cards: what each participant's card shares (no row: the
 * defaults). lead_exchanges: who collected whose card, once per pair, with the collector's note;
 * indexed both ways ("cards I collected", "who collected my card").
 * The lead id itself belongs to the QR codes module (0010_qr_codes): it is not stored here.
 * Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('lead_cards')
    .addColumn('participant_id', 'text', (c) => c.primaryKey().references('participants.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('share_email', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('share_fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('lead_exchanges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('collector_id', 'text', (c) => c.notNull().references('participants.id').onDelete('cascade'))
    .addColumn('collected_id', 'text', (c) => c.notNull().references('participants.id').onDelete('cascade'))
    .addColumn('collected_at', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('note_updated_at', 'text')
    .execute();
  await db.schema.createIndex('lead_exchanges_pair_idx').on('lead_exchanges').columns(['collector_id', 'collected_id']).unique().execute();
  await db.schema.createIndex('lead_exchanges_collected_idx').on('lead_exchanges').columns(['collected_id', 'collected_at']).execute();
  await db.schema.createIndex('lead_exchanges_event_idx').on('lead_exchanges').columns(['event_id', 'collected_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lead_exchanges').ifExists().execute();
  await db.schema.dropTable('lead_cards').ifExists().execute();
}
