import type { Kysely } from 'kysely';

/**
 * Suppressions get the receiving server's reply (a hard bounce's "550 5.1.1 User unknown"), so a
 * skipped recipient's reason can say what happened, and an index for the Suppressions page and
 * API, which list an organisation's suppressions newest first. Frozen in time: no application imports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_suppressions').addColumn('detail', 'text').execute();
  await db.schema.createIndex('email_suppressions_org_created_idx').on('email_suppressions').columns(['org_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('email_suppressions_org_created_idx').execute();
  await db.schema.alterTable('email_suppressions').dropColumn('detail').execute();
}
