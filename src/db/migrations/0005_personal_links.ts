import type { Kysely } from 'kysely';

/**
 * Personal links: the credentials sent to one person (web app, secure forms, RSVP, preview,
 * sign-in, email change), the attendee sessions they open, and the event's form pages.
 * Frozen in time like every migration: no application imports, ISO-8601 text timestamps.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Only the SHA-256 of a credential is stored: a dump cannot be replayed. Every column a
  // landing page needs is on this row, so verifying a link is one lookup on token_hash.
  await db.schema
    .createTable('credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.references('events.id').onDelete('cascade'))
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    // The address the link was sent to: a fresh link for an expired one goes there, nowhere else.
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('outbox_id', 'text')
    .addColumn('issued_by', 'text')
    .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('single_use', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('test', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('use_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_used_at', 'text')
    .addColumn('consumed_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_reason', 'text')
    .addColumn('fetch_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_fetched_at', 'text')
    .addColumn('last_fetch_agent', 'text')
    .execute();
  await db.schema.createIndex('credentials_subject_idx').on('credentials').columns(['subject_type', 'subject_id', 'purpose']).execute();
  await db.schema.createIndex('credentials_event_purpose_idx').on('credentials').columns(['event_id', 'purpose']).execute();

  await db.schema
    .createTable('attendee_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('participant_id', 'text', (c) => c.notNull().references('participants.id').onDelete('cascade'))
    .addColumn('credential_id', 'text')
    .addColumn('staff_id', 'text')
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attendee_sessions_participant_idx').on('attendee_sessions').column('participant_id').execute();

  await db.schema
    .createTable('event_forms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('intro', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('field_keys', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('allow_email_change', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('closes_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_forms_slug_idx').on('event_forms').columns(['event_id', 'slug']).unique().execute();

  // Event-level switches for the public pages. Defaults are the privacy-preserving ones.
  await db.schema.alterTable('events').addColumn('registration_open', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('events').addColumn('tell_known_emails', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('events').addColumn('rsvp_closes_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('rsvp_closes_at').execute();
  await db.schema.alterTable('events').dropColumn('tell_known_emails').execute();
  await db.schema.alterTable('events').dropColumn('registration_open').execute();
  await db.schema.dropTable('event_forms').ifExists().execute();
  await db.schema.dropTable('attendee_sessions').ifExists().execute();
  await db.schema.dropTable('credentials').ifExists().execute();
}
