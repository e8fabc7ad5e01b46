import type { Kysely } from 'kysely';

/**
 * Sponsors of an event, the contacts who may receive its permalink, the limited sessions those
 * permalinks open, and the attendees' cards collected at the sponsor's booth. The logo is stored in the row (base64 text: the same on both dialects,
 * and every app node behind a load balancer sees it). Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sponsors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('links', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('booth', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('logo_data', 'text')
    .addColumn('logo_type', 'text')
    .addColumn('logo_sha', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sponsors_event_idx').on('sponsors').columns(['event_id', 'name']).execute();

  await db.schema
    .createTable('sponsor_contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('sponsor_id', 'text', (c) => c.notNull().references('sponsors.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
    // 'editor' (profile and booth scanning) or 'scanner' (booth scanning only).
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('editor'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sponsor_contacts_uq', ['sponsor_id', 'contact_id'])
    .execute();

  await db.schema
    .createTable('sponsor_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('sponsor_id', 'text', (c) => c.notNull().references('sponsors.id').onDelete('cascade'))
    .addColumn('sponsor_contact_id', 'text', (c) => c.notNull().references('sponsor_contacts.id').onDelete('cascade'))
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sponsor_sessions_contact_idx').on('sponsor_sessions').column('sponsor_contact_id').execute();

  // Attendees' cards collected at the sponsor's booth (their lead id typed or scanned), once each.
  await db.schema
    .createTable('sponsor_leads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('sponsor_id', 'text', (c) => c.notNull().references('sponsors.id').onDelete('cascade'))
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id').onDelete('cascade'))
    .addColumn('collected_by', 'text', (c) => c.notNull())
    .addColumn('collected_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sponsor_leads_uq', ['sponsor_id', 'participant_id'])
    .execute();
  await db.schema.createIndex('sponsor_leads_participant_idx').on('sponsor_leads').column('participant_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sponsor_leads').ifExists().execute();
  await db.schema.dropTable('sponsor_sessions').ifExists().execute();
  await db.schema.dropTable('sponsor_contacts').ifExists().execute();
  await db.schema.dropTable('sponsors').ifExists().execute();
}
