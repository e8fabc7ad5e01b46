import { insertMany } from '../../db/bulk.js';
import type { ContactsTable, Db } from '../../db/database.js';

export type ContactRow = ContactsTable;

export async function findContactsByEmailKeys(db: Db, orgId: string, keys: string[]): Promise<ContactsTable[]> {
  if (keys.length === 0) return [];
  return db.selectFrom('contacts').selectAll().where('org_id', '=', orgId).where('email_key', 'in', keys).execute();
}

export async function findContactById(db: Db, orgId: string, id: string): Promise<ContactsTable | undefined> {
  return db.selectFrom('contacts').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function insertContacts(db: Db, rows: ContactsTable[]): Promise<void> {
  await insertMany(db, 'contacts', rows);
}

export async function updateContactRow(db: Db, orgId: string, id: string, values: Partial<ContactsTable>): Promise<void> {
  await db.updateTable('contacts').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}
