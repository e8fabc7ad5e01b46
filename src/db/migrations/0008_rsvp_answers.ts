import type { Kysely } from 'kysely';

/**
 * The answer each invited participant gave through their RSVP link. Status alone cannot tell an
 * accepted invitation from a registration through the public page, and the organiser's dashboard
 * counts replies. One row per participant: a second answer replaces the first.
 * Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rsvp_answers')
    .addColumn('participant_id', 'text', (c) => c.primaryKey().references('participants.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rsvp_answers_event_idx').on('rsvp_answers').columns(['event_id', 'answer']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rsvp_answers').ifExists().execute();
}
