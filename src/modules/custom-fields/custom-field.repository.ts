import type { CustomFieldsTable, Db } from '../../db/database.js';
import type { CustomField } from './custom-field.types.js';

export function customFieldFromRow(row: CustomFieldsTable): CustomField {
  return {
    id: row.id,
    eventId: row.event_id,
    key: row.key,
    label: row.label,
    type: row.type,
    required: row.required === 1,
    options: JSON.parse(row.options) as string[],
    position: row.position,
  };
}

export async function findCustomFields(db: Db, orgId: string, eventId: string): Promise<CustomField[]> {
  const rows = await db
    .selectFrom('custom_fields')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map(customFieldFromRow);
}

export async function findCustomField(db: Db, orgId: string, eventId: string, id: string): Promise<CustomField | null> {
  const row = await db
    .selectFrom('custom_fields')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? customFieldFromRow(row) : null;
}

export async function insertCustomField(db: Db, row: CustomFieldsTable): Promise<void> {
  await db.insertInto('custom_fields').values(row).execute();
}

export async function updateCustomFieldRow(db: Db, orgId: string, id: string, values: Partial<CustomFieldsTable>): Promise<void> {
  await db.updateTable('custom_fields').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteCustomFieldRow(db: Db, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('custom_fields').where('org_id', '=', orgId).where('id', '=', id).execute();
}
