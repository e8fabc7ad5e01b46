import type { Kysely } from 'kysely';

/**
 * Meeting availability: campaigns (which days, which hours, how long a slot, until when), the
 * people a campaign's link was sent to (so planners see who has not answered), and each
 * person's answer per slot. Slots are not stored: they follow from the campaign's days and
 * hours, named by their wall-clock start in the event's time zone ("2026-09-14T09:30").
 * Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('meeting_campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('first_day', 'text', (c) => c.notNull())
    .addColumn('last_day', 'text', (c) => c.notNull())
    .addColumn('day_starts', 'text', (c) => c.notNull())
    .addColumn('day_ends', 'text', (c) => c.notNull())
    .addColumn('slot_minutes', 'integer', (c) => c.notNull())
    .addColumn('closes_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('meeting_campaigns_event_idx').on('meeting_campaigns').columns(['event_id', 'closes_at']).execute();

  await db.schema
    .createTable('meeting_recipients')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('meeting_campaigns.id').onDelete('cascade'))
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('first_sent_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('meeting_recipients_pk', ['campaign_id', 'participant_id'])
    .execute();

  await db.schema
    .createTable('meeting_answers')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('meeting_campaigns.id').onDelete('cascade'))
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('available', 'integer', (c) => c.notNull())
    .addColumn('answered_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('meeting_answers_pk', ['campaign_id', 'participant_id', 'slot'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('meeting_answers').ifExists().execute();
  await db.schema.dropTable('meeting_recipients').ifExists().execute();
  await db.schema.dropTable('meeting_campaigns').ifExists().execute();
}
