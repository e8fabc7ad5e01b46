import type { Kysely } from 'kysely';

/**
 * Check-in: the event's sessions (agenda items whose door can be a check-in point), the note a
 * door steward should see for a participant, every scan (online and uploaded from offline
 * devices), the admissions they produced and the conflicts between devices.
 *
 * - checkins: one row per scan, unique on (org, device, nonce) so a repeated nonce finds the
 *   first result instead of scanning again.
 * - checkin_admissions: one row per person and check-in point ('entrance' or a session id). Its
 *   primary key is what makes two simultaneous online scans produce exactly one admission: the
 *   second insert conflicts, whatever the interleaving.
 * - checkin_conflicts: an offline admission that the server could not honour (someone else let
 *   the person in first, or the code was refused by then), kept for the organiser to review.
 * Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('event_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('room', 'text')
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_sessions_event_idx').on('event_sessions').columns(['event_id', 'starts_at']).execute();

  await db.schema
    .createTable('attention_notes')
    .addColumn('participant_id', 'text', (c) => c.primaryKey().references('participants.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attention_notes_event_idx').on('attention_notes').columns(['event_id', 'updated_at']).execute();

  await db.schema
    .createTable('checkins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.references('event_sessions.id'))
    .addColumn('participant_id', 'text', (c) => c.references('participants.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('device_result', 'text')
    .addColumn('first_admitted_at', 'text')
    .addColumn('qr_version', 'integer')
    .addColumn('scanned_at', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('offline', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .execute();
  await db.schema.createIndex('checkins_nonce_idx').on('checkins').columns(['org_id', 'device_id', 'nonce']).unique().execute();
  await db.schema.createIndex('checkins_event_idx').on('checkins').columns(['event_id', 'recorded_at']).execute();
  await db.schema.createIndex('checkins_participant_idx').on('checkins').columns(['participant_id']).execute();

  await db.schema
    .createTable('checkin_admissions')
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('point', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('checkin_id', 'text', (c) => c.notNull().references('checkins.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('admitted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('checkin_admissions_pk', ['event_id', 'point', 'participant_id'])
    .execute();
  await db.schema.createIndex('checkin_admissions_time_idx').on('checkin_admissions').columns(['event_id', 'admitted_at']).execute();

  await db.schema
    .createTable('checkin_conflicts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('point', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.references('participants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('checkin_id', 'text', (c) => c.notNull().references('checkins.id').onDelete('cascade'))
    .addColumn('first_checkin_id', 'text', (c) => c.references('checkins.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('checkin_conflicts_event_idx').on('checkin_conflicts').columns(['event_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('checkin_conflicts').ifExists().execute();
  await db.schema.dropTable('checkin_admissions').ifExists().execute();
  await db.schema.dropTable('checkins').ifExists().execute();
  await db.schema.dropTable('attention_notes').ifExists().execute();
  await db.schema.dropTable('event_sessions').ifExists().execute();
}
