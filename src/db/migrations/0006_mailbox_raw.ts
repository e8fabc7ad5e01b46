import { SqliteAdapter, type Kysely } from 'kysely';

// The local SMTP sink keeps each message as received and parses it only when the Mailbox page
// opens it: parsing every message on arrival (mailparser) cost more CPU than sending it. Older rows
// keep their parsed html/text and have no raw copy. Frozen in time: no application imports.
export async function up(db: Kysely<any>): Promise<void> {
  const bytes = db.getExecutor().adapter instanceof SqliteAdapter ? 'blob' : 'bytea';
  await db.schema.alterTable('mailbox_messages').addColumn('raw', bytes).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mailbox_messages').dropColumn('raw').execute();
}
