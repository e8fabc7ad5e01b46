import type { Kysely } from 'kysely';

/**
 * Per-event access codes (DESIGN.md section 2). One row per participant: the code as a keyed
 * hash (HMAC under a server key the database never holds, with the key's id for rotation),
 * unique in the event; for codes Tessera generated, an AES-GCM copy so "resend credentials"
 * can send the same code. The failure counter and lock live on the row, so a new code never
 * resets them and concurrent attempts serialise on one row.
 * sign_ins records every web app sign-in by method, for the organiser's login metrics.
 * Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('access_codes')
    .addColumn('participant_id', 'text', (c) => c.primaryKey().references('participants.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('code_mac', 'text', (c) => c.notNull())
    .addColumn('mac_key_id', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text')
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('set_at', 'text', (c) => c.notNull())
    .addColumn('last_sent_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'text')
    .execute();
  await db.schema.createIndex('access_codes_event_mac_idx').on('access_codes').columns(['event_id', 'code_mac']).unique().execute();

  await db.schema
    .createTable('sign_ins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id').onDelete('cascade'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('signed_in_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_ins_event_idx').on('sign_ins').columns(['event_id', 'signed_in_at']).execute();
  await db.schema.createIndex('sign_ins_participant_idx').on('sign_ins').columns(['participant_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_ins').ifExists().execute();
  await db.schema.dropTable('access_codes').ifExists().execute();
}
