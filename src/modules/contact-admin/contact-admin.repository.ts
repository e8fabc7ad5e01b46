import { sql } from 'kysely';
import type { ContactKind, ContactsTable, Db } from '../../db/database.js';

/**
 * Queries of the back-office contact book. Contacts merged into another are left out of every
 * list: their row stays only for the audit trail and the parent's history.
 */
export interface ContactFilter {
  search?: string | undefined;
  kind?: ContactKind | undefined;
  status?: 'verified' | 'unverified' | undefined;
  /** Keyset cursor: contacts strictly older (smaller id) than this one. */
  before?: string | undefined;
}

function filtered(db: Db, orgId: string, filter: ContactFilter) {
  let query = db.selectFrom('contacts').where('org_id', '=', orgId).where('merged_into', 'is', null);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.status) query = query.where('email_status', '=', filter.status);
  const search = filter.search?.trim().toLowerCase();
  if (search) {
    const pattern = `%${search.replace(/[!%_]/g, '!$&')}%`;
    query = query.where(sql<boolean>`lower(first_name || ' ' || last_name || ' ' || email) like ${pattern} escape '!'`);
  }
  return query;
}

export async function findContactPage(db: Db, orgId: string, filter: ContactFilter, limit: number): Promise<ContactsTable[]> {
  let query = filtered(db, orgId, filter).selectAll();
  if (filter.before) query = query.where('id', '<', filter.before);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function countContacts(db: Db, orgId: string, filter: ContactFilter): Promise<number> {
  const row = await filtered(db, orgId, filter).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function findContactsByIds(db: Db, orgId: string, ids: string[]): Promise<ContactsTable[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('contacts').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findStructures(db: Db, orgId: string): Promise<ContactsTable[]> {
  return db.selectFrom('contacts').selectAll().where('org_id', '=', orgId).where('kind', '=', 'structure').where('merged_into', 'is', null).orderBy('last_name').orderBy('id').limit(1000).execute();
}

export async function findMembersOfStructure(db: Db, orgId: string, structureId: string): Promise<ContactsTable[]> {
  return db.selectFrom('contacts').selectAll().where('org_id', '=', orgId).where('structure_id', '=', structureId).where('merged_into', 'is', null).orderBy('last_name').orderBy('id').execute();
}

export async function findMergedInto(db: Db, orgId: string, parentId: string): Promise<string[]> {
  const rows = await db.selectFrom('contacts').select('id').where('org_id', '=', orgId).where('merged_into', '=', parentId).execute();
  return rows.map((r) => r.id);
}

export interface ParticipationRow {
  id: string;
  event_id: string;
  event_name: string;
  starts_at: string;
  status: string;
}

export async function findParticipations(db: Db, orgId: string, contactId: string): Promise<ParticipationRow[]> {
  return db
    .selectFrom('participants')
    .innerJoin('events', 'events.id', 'participants.event_id')
    .select(['participants.id as id', 'participants.event_id as event_id', 'events.name as event_name', 'events.starts_at as starts_at', 'participants.status as status'])
    .where('participants.org_id', '=', orgId)
    .where('participants.contact_id', '=', contactId)
    .orderBy('events.starts_at', 'desc')
    .execute();
}

/** Friends & family rows in either direction: the connection means the same to both people. */
export async function findConnections(db: Db, orgId: string, contactId: string): Promise<Array<{ contact_id: string; connected_id: string; created_at: string }>> {
  return db
    .selectFrom('contact_connections')
    .select(['contact_id', 'connected_id', 'created_at'])
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('contact_id', '=', contactId), eb('connected_id', '=', contactId)]))
    .orderBy('created_at')
    .execute();
}

export async function connectionExists(db: Db, a: string, b: string): Promise<boolean> {
  const row = await db
    .selectFrom('contact_connections')
    .select('contact_id')
    .where((eb) => eb.or([eb.and([eb('contact_id', '=', a), eb('connected_id', '=', b)]), eb.and([eb('contact_id', '=', b), eb('connected_id', '=', a)])]))
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertConnection(db: Db, row: { org_id: string; contact_id: string; connected_id: string; created_at: string }): Promise<void> {
  await db.insertInto('contact_connections').values({ ...row, relation: 'friends_family' }).execute();
}

export async function deleteConnection(db: Db, orgId: string, a: string, b: string): Promise<number> {
  const result = await db
    .deleteFrom('contact_connections')
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb.and([eb('contact_id', '=', a), eb('connected_id', '=', b)]), eb.and([eb('contact_id', '=', b), eb('connected_id', '=', a)])]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
