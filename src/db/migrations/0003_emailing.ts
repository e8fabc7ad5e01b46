import { sql, type Kysely } from 'kysely';

/**
 * Emailing: templates, their links to actions, campaigns, the mail outbox and suppressions.
 * Frozen in time like every migration: no application imports, ISO-8601 text timestamps.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('email_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.references('events.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('email_templates_org_type_idx').on('email_templates').columns(['org_id', 'type', 'event_id']).execute();

  // scope is an event id or the literal 'org', so one unique key covers both levels (a NULL
  // event id would escape the unique constraint).
  await db.schema
    .createTable('template_links')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('template_id', 'text', (c) => c.notNull().references('email_templates.id').onDelete('cascade'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('template_links_pk', ['org_id', 'scope', 'action'])
    .execute();
  await db.schema.createIndex('template_links_template_idx').on('template_links').column('template_id').execute();

  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('template_id', 'text', (c) => c.notNull().references('email_templates.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scheduled_at', 'text')
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('recipient_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('campaigns_event_idx').on('campaigns').columns(['org_id', 'event_id', 'created_at']).execute();
  // The scheduler looks for due campaigns across all organisations.
  await db.schema.createIndex('campaigns_due_idx').on('campaigns').columns(['status', 'scheduled_at']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.references('events.id').onDelete('cascade'))
    .addColumn('campaign_id', 'text', (c) => c.references('campaigns.id').onDelete('cascade'))
    .addColumn('template_id', 'text', (c) => c.references('email_templates.id').onDelete('set null'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('recipient_kind', 'text', (c) => c.notNull())
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('to_email', 'text', (c) => c.notNull())
    .addColumn('to_name', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('message_id', 'text')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The claim query walks this index in (priority, due time) order and stops after one batch.
  // Partial: sent and failed rows (nearly all of them, in time) are not in it, so it stays small.
  await db.schema
    .createIndex('outbox_due_idx')
    .on('outbox')
    .columns(['priority', 'next_attempt_at', 'id'])
    .where(sql.ref('status'), 'in', ['queued', 'sending'])
    .execute();
  await db.schema.createIndex('outbox_campaign_idx').on('outbox').columns(['campaign_id', 'status', 'id']).execute();

  await db.schema
    .createTable('email_suppressions')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('email_key', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('email_suppressions_pk', ['org_id', 'email_key', 'scope'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['email_suppressions', 'outbox', 'campaigns', 'template_links', 'email_templates']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
