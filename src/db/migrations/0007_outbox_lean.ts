import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * PostgreSQL checks each foreign key of each inserted row with a trigger that queries the parent
 * table: writing a 100,000-recipient campaign's outbox spent ~3.7 s of its 4.4–5.8 s there, against
 * a 5 s target. This drops the outbox's keys to events, campaigns and templates, which add nothing
 * a message depends on:
 * - nothing deletes an event or a campaign (a campaign is cancelled, not deleted);
 * - a template is deleted only when no message waiting to be sent uses it (`templateInUse`), and
 *   the worker fails a message whose template is gone, by its id, whether the id was set to null
 *   (as ON DELETE SET NULL did) or points nowhere. Nothing reads a sent message's template.
 * The key to the organisation stays, with its cascade: deleting an organisation still deletes
 * its messages, as it deletes everything else of the tenant.
 *
 * SQLite keeps its keys: it checks one with an in-process index lookup (the four cost ~0.3 s per
 * 100,000 rows, and SQLite writes the outbox in ~2 s), while dropping one there means rebuilding
 * the outbox table, copying every message, for a tenth of that time.
 */
const DROPPED = [
  { column: 'event_id', parent: 'events', onDelete: 'cascade' },
  { column: 'campaign_id', parent: 'campaigns', onDelete: 'cascade' },
  { column: 'template_id', parent: 'email_templates', onDelete: 'set null' },
];

export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  for (const { column, parent } of DROPPED) {
    // By what the key is, not by name: the names were chosen by PostgreSQL in 0003.
    const keys = await sql<{ name: string }>`
      select c.conname as name from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      where c.conrelid = 'outbox'::regclass and c.contype = 'f' and c.confrelid = ${parent}::regclass and a.attname = ${column}`.execute(db);
    for (const key of keys.rows) await sql`alter table outbox drop constraint ${sql.id(key.name)}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  for (const { column, parent, onDelete } of DROPPED) {
    // NOT VALID: rows written meanwhile may point at deleted templates; new rows are checked again.
    await sql`alter table outbox add foreign key (${sql.id(column)}) references ${sql.id(parent)} (id) on delete ${sql.raw(onDelete)} not valid`.execute(db);
  }
}
