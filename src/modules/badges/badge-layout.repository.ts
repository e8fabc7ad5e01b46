import type { BadgeLayoutsTable, Db } from '../../db/database.js';

export async function findBadgeLayouts(db: Db, orgId: string, eventId: string): Promise<BadgeLayoutsTable[]> {
  return db.selectFrom('badge_layouts').selectAll().where('org_id', '=', orgId).where('event_id', '=', eventId).orderBy('created_at').orderBy('id').execute();
}

export async function findBadgeLayout(db: Db, orgId: string, eventId: string, id: string): Promise<BadgeLayoutsTable | undefined> {
  return db.selectFrom('badge_layouts').selectAll().where('org_id', '=', orgId).where('event_id', '=', eventId).where('id', '=', id).executeTakeFirst();
}

export async function insertBadgeLayout(db: Db, row: BadgeLayoutsTable): Promise<void> {
  await db.insertInto('badge_layouts').values(row).execute();
}

export async function updateBadgeLayoutRow(db: Db, orgId: string, id: string, set: Omit<BadgeLayoutsTable, 'id' | 'org_id' | 'event_id' | 'created_at'>): Promise<number> {
  const result = await db.updateTable('badge_layouts').set(set).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deleteBadgeLayoutRow(db: Db, orgId: string, eventId: string, id: string): Promise<number> {
  const result = await db.deleteFrom('badge_layouts').where('org_id', '=', orgId).where('event_id', '=', eventId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows);
}
