import type { Db, PointsOfSaleTable, SalesChannelsTable } from '../../db/database.js';
import type { PointOfSale, SalesChannel } from './shop.types.js';

export function channelFromRow(row: SalesChannelsTable): SalesChannel {
  return { id: row.id, orgId: row.org_id, name: row.name, kind: row.kind, createdAt: row.created_at };
}

type PosRow = PointsOfSaleTable & { channel_kind: SalesChannelsTable['kind'] };

export function posFromRow(row: PosRow): PointOfSale {
  return {
    id: row.id,
    orgId: row.org_id,
    channelId: row.channel_id,
    channelKind: row.channel_kind,
    name: row.name,
    slug: row.slug,
    state: row.state,
    heading: row.heading,
    accent: row.accent,
    welcome: row.welcome,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertChannel(db: Db, row: SalesChannelsTable): Promise<void> {
  await db.insertInto('sales_channels').values(row).execute();
}

export async function findChannels(db: Db, orgId: string): Promise<SalesChannelsTable[]> {
  return db.selectFrom('sales_channels').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
}

export async function findChannel(db: Db, orgId: string, id: string): Promise<SalesChannelsTable | undefined> {
  return db.selectFrom('sales_channels').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

function posQuery(db: Db) {
  return db.selectFrom('points_of_sale').innerJoin('sales_channels', 'sales_channels.id', 'points_of_sale.channel_id').selectAll('points_of_sale').select('sales_channels.kind as channel_kind');
}

export async function findPointsOfSale(db: Db, orgId: string): Promise<PosRow[]> {
  return posQuery(db).where('points_of_sale.org_id', '=', orgId).orderBy('points_of_sale.name').execute();
}

export async function findPointOfSale(db: Db, orgId: string, id: string): Promise<PosRow | undefined> {
  return posQuery(db).where('points_of_sale.org_id', '=', orgId).where('points_of_sale.id', '=', id).executeTakeFirst();
}

export async function findPointOfSaleBySlug(db: Db, orgId: string, slug: string): Promise<PosRow | undefined> {
  return posQuery(db).where('points_of_sale.org_id', '=', orgId).where('points_of_sale.slug', '=', slug).executeTakeFirst();
}

export async function insertPointOfSale(db: Db, row: PointsOfSaleTable): Promise<void> {
  await db.insertInto('points_of_sale').values(row).execute();
}

export async function updatePointOfSaleRow(db: Db, orgId: string, id: string, values: Partial<PointsOfSaleTable>): Promise<void> {
  await db.updateTable('points_of_sale').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}
