import type { Kysely } from 'kysely';

/**
 * Personal QR codes (DESIGN.md section 2): an Ed25519 key pair per event, whose private half is
 * stored only sealed under a server key (AES-GCM, bound to the event), and one row per
 * participant with the current version of their code and their lead id.
 * `revocation_seq` is a per-event counter: every rotation or cancellation takes the next number
 * under the event key row's lock and stamps it on the participant's row (`change_seq`), so the
 * revocation list can be read in commit order with a cursor. Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('qr_event_keys')
    .addColumn('event_id', 'text', (c) => c.primaryKey().references('events.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('key_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('sealed_private_key', 'text', (c) => c.notNull())
    .addColumn('revocation_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('qr_codes')
    .addColumn('participant_id', 'text', (c) => c.primaryKey().references('participants.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('lead_id', 'text', (c) => c.notNull())
    .addColumn('cancelled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('change_seq', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('rotated_at', 'text')
    .execute();
  await db.schema.createIndex('qr_codes_event_lead_idx').on('qr_codes').columns(['event_id', 'lead_id']).unique().execute();
  await db.schema.createIndex('qr_codes_event_change_idx').on('qr_codes').columns(['event_id', 'change_seq', 'participant_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('qr_codes').ifExists().execute();
  await db.schema.dropTable('qr_event_keys').ifExists().execute();
}
