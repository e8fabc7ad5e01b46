import type { Kysely } from 'kysely';

/**
 * Badge layouts: how an event's badges are printed (page or label size, which participant fields
 * in which order and at which font size, where the QR code goes). The QR content itself is never
 * stored here: it is signed at print time by the QR codes module.
 * Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('badge_layouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('page_size', 'text', (c) => c.notNull())
    // JSON array of { source, size, bold }, in print order.
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('qr_size', 'text', (c) => c.notNull())
    .addColumn('qr_position', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('badge_layouts_event_name_idx').on('badge_layouts').columns(['event_id', 'name']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('badge_layouts').ifExists().execute();
}
