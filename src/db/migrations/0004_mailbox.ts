import type { Kysely } from 'kysely';

// The local SMTP sink's store (what `npm start` receives when SMTP_URL is unset). Frozen in
// time: no application imports. Recipients get their own table so the Mailbox page can match
// them against an organisation's contacts through an index instead of parsing a list.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mailbox_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text')
    .addColumn('mail_from', 'text', (c) => c.notNull())
    .addColumn('rcpt_to', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('html', 'text')
    .addColumn('text', 'text')
    .addColumn('raw_size', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mailbox_messages_message_id_idx').on('mailbox_messages').column('message_id').execute();

  await db.schema
    .createTable('mailbox_recipients')
    .addColumn('mailbox_id', 'text', (c) => c.notNull().references('mailbox_messages.id').onDelete('cascade'))
    .addColumn('email_key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mailbox_recipients_pk', ['mailbox_id', 'email_key'])
    .execute();
  await db.schema.createIndex('mailbox_recipients_email_idx').on('mailbox_recipients').columns(['email_key', 'mailbox_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mailbox_recipients').ifExists().execute();
  await db.schema.dropTable('mailbox_messages').ifExists().execute();
}
