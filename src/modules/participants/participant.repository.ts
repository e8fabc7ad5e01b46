import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { insertMany } from '../../db/bulk.js';
import type { Database, Db, Dialect, ParticipantsTable } from '../../db/database.js';
import type { FieldValues } from '../custom-fields/index.js';
import type { Participant, ParticipantQuery, ParticipantSort, ParticipantStatus } from './participant.types.js';

export function participantFromRow(row: ParticipantsTable): Participant {
  return {
    id: row.id,
    eventId: row.event_id,
    contactId: row.contact_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    status: row.status,
    fields: JSON.parse(row.field_values) as FieldValues,
    statusChangedAt: row.status_changed_at,
    registeredAt: row.registered_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertParticipants(db: Db, rows: ParticipantsTable[]): Promise<void> {
  await insertMany(db, 'participants', rows);
}

/**
 * Rewrites whole rows of existing participants, many per statement: an insert that always hits
 * the primary key and so turns into an update of the mutable columns (both SQLite and PostgreSQL
 * check the conflict target first). Ids, contact, event and creation date never change.
 */
export async function replaceParticipantRows(db: Db, rows: ParticipantsTable[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('participants')
    .values(rows)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        field_values: eb.ref('excluded.field_values'),
        first_name: eb.ref('excluded.first_name'),
        last_name: eb.ref('excluded.last_name'),
        search_text: eb.ref('excluded.search_text'),
        status_changed_at: eb.ref('excluded.status_changed_at'),
        registered_at: eb.ref('excluded.registered_at'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

export async function findParticipantRow(db: Db, orgId: string, eventId: string, id: string): Promise<ParticipantsTable | undefined> {
  return db
    .selectFrom('participants')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Participants of an organisation by id, any event (the mail outbox loads a batch at a time). */
export async function findParticipantRowsByIds(db: Db, orgId: string, ids: string[]): Promise<ParticipantsTable[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('participants').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findParticipantsByContacts(db: Db, eventId: string, contactIds: string[]): Promise<ParticipantsTable[]> {
  if (contactIds.length === 0) return [];
  return db.selectFrom('participants').selectAll().where('event_id', '=', eventId).where('contact_id', 'in', contactIds).execute();
}

export async function findParticipantRowsOfContact(db: Db, orgId: string, contactId: string): Promise<ParticipantsTable[]> {
  return db.selectFrom('participants').selectAll().where('org_id', '=', orgId).where('contact_id', '=', contactId).execute();
}

/** Which of these contact email keys are already participants of the event. */
export async function findParticipantEmailKeys(db: Db, orgId: string, eventId: string, keys: string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('participants')
    .innerJoin('contacts', 'contacts.id', 'participants.contact_id')
    .select('contacts.email_key')
    .where('contacts.org_id', '=', orgId)
    .where('contacts.email_key', 'in', keys)
    .where('participants.event_id', '=', eventId)
    .execute();
  return rows.map((row) => row.email_key);
}

export async function updateParticipantRow(db: Db, orgId: string, id: string, values: Partial<ParticipantsTable>): Promise<void> {
  await db.updateTable('participants').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Keeps the denormalised name/email of every participation of a contact in line with it. */
export async function updateParticipantsOfContact(
  db: Db,
  orgId: string,
  contactId: string,
  values: Pick<ParticipantsTable, 'email' | 'first_name' | 'last_name' | 'updated_at'>,
): Promise<void> {
  await db.updateTable('participants').set(values).where('org_id', '=', orgId).where('contact_id', '=', contactId).execute();
}

/**
 * Rows of one event of one organisation. The organisation is checked through the event, in a
 * subquery the database runs once, rather than on participants.org_id: that column is in none of
 * the (event_id, ...) indexes, so filtering on it made every count read all 100,000 table rows
 * instead of an index alone.
 */
function inEvent(eb: ExpressionBuilder<Database, 'participants'>, orgId: string, eventId: string): Expression<SqlBool> {
  return eb('event_id', '=', eb.selectFrom('events').select('id').where('id', '=', eventId).where('org_id', '=', orgId));
}

export async function countByStatus(db: Db, orgId: string, eventId: string): Promise<Record<ParticipantStatus, number>> {
  const rows = await db
    .selectFrom('participants')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where((eb) => inEvent(eb, orgId, eventId))
    .groupBy('status')
    .execute();
  const counts: Record<ParticipantStatus, number> = { imported: 0, invited: 0, registered: 0, declined: 0, cancelled: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** Counts per event and status in one grouped statement (the events list shows many events). */
export async function countByEventAndStatus(db: Db, orgId: string, eventIds: string[]): Promise<Map<string, Record<ParticipantStatus, number>>> {
  const counts = new Map<string, Record<ParticipantStatus, number>>();
  if (eventIds.length === 0) return counts;
  const rows = await db
    .selectFrom('participants')
    .select(['event_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('event_id', 'in', (eb) => eb.selectFrom('events').select('id').where('org_id', '=', orgId).where('id', 'in', eventIds))
    .groupBy(['event_id', 'status'])
    .execute();
  for (const id of eventIds) counts.set(id, { imported: 0, invited: 0, registered: 0, declined: 0, cancelled: 0 });
  for (const row of rows) counts.get(row.event_id)![row.status] = Number(row.n);
  return counts;
}

// Sort keys, each ending with id so the order is total and keyset pagination is exact.
const SORT_COLUMNS: Record<ParticipantSort, Array<'last_name' | 'first_name' | 'email' | 'created_at' | 'status' | 'id'>> = {
  name: ['last_name', 'first_name', 'id'],
  email: ['email', 'id'],
  created: ['created_at', 'id'],
  status: ['status', 'last_name', 'first_name', 'id'],
};

export type Where = (eb: ExpressionBuilder<Database, 'participants'>) => Expression<SqlBool>;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Filter on one custom field's value, written for each dialect's JSON functions. */
function fieldFilter(dialect: Dialect, key: string, value: string): Expression<SqlBool> {
  const path = `$."${key}"`;
  if (dialect === 'sqlite') {
    return sql<SqlBool>`(json_extract(field_values, ${path}) = ${value === 'true' ? 1 : value === 'false' ? 0 : value}
      or exists (select 1 from json_each(field_values, ${path}) where json_each.value = ${value}))`;
  }
  return sql<SqlBool>`((field_values::jsonb ->> ${key}) = ${value} or (field_values::jsonb -> ${key}) @> to_jsonb(${value}::text))`;
}

function searchWords(q: string | undefined): string[] {
  return (q ?? '').trim().toLowerCase().normalize('NFKD').replace(/\p{Diacritic}/gu, '').split(/\s+/).filter(Boolean).slice(0, 5);
}

function searchFilter(query: ParticipantQuery): Where | null {
  const words = searchWords(query.q);
  if (words.length === 0) return null;
  return (eb) => eb.and(words.map((word) => sql<SqlBool>`search_text like ${`%${escapeLike(word)}%`} escape '\\'`));
}

export function filters(dialect: Dialect, orgId: string, eventId: string, query: ParticipantQuery): Where[] {
  const where: Where[] = [(eb) => inEvent(eb, orgId, eventId)];
  if (query.statuses && query.statuses.length > 0) {
    const statuses = query.statuses;
    where.push((eb) => eb('status', 'in', statuses));
  }
  const search = searchFilter(query);
  if (search) where.push(search);
  for (const [key, value] of Object.entries(query.fields ?? {})) {
    where.push(() => fieldFilter(dialect, key, value));
  }
  return where;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): string[] | null {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === length && values.every((v) => typeof v === 'string')) return values as string[];
  } catch {
    // fall through: a bad cursor is treated like a bad id
  }
  return null;
}

export async function queryParticipants(
  db: Db,
  dialect: Dialect,
  orgId: string,
  eventId: string,
  query: ParticipantQuery,
): Promise<{ rows: ParticipantsTable[]; total: number; cursorOf: (row: ParticipantsTable) => string } | null> {
  const sort = query.sort ?? 'name';
  const dir = query.dir ?? 'asc';
  const columns = SORT_COLUMNS[sort];
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const where = filters(dialect, orgId, eventId, query);
  const matches: Where = (eb) => eb.and(where.map((w) => w(eb)));
  const after = query.cursor ? decodeCursor(query.cursor, columns.length) : null;
  if (query.cursor && !after) return null;
  // The page's ids first, from the sort index alone (it carries search_text, so a search tests
  // index entries without reading rows), then those rows by primary key.
  let ids = db.selectFrom('participants').select('id').where(matches);
  if (after) {
    // Row-value comparison (a, b, id) > (?, ?, ?): one index range scan per page, at any depth.
    ids = ids.where((eb) =>
      eb(eb.refTuple(...(columns as ['last_name', 'id'])), dir === 'asc' ? '>' : '<', eb.tuple(...(after as [string, string]))),
    );
  }
  for (const column of columns) ids = ids.orderBy(column, dir);
  let list = db.selectFrom('participants').selectAll().where('id', 'in', ids.limit(limit + 1));
  for (const column of columns) list = list.orderBy(column, dir);
  const rows = await list.execute();
  // A first page that is not full is the whole result: no second pass to count it. An export
  // pages through everything and needs no count at all.
  const total =
    query.withTotal === false
      ? -1
      : !after && rows.length <= limit
        ? rows.length
        : Number((await db.selectFrom('participants').select((eb) => eb.fn.countAll<number>().as('n')).where(matches).executeTakeFirstOrThrow()).n);
  const cursorOf = (row: ParticipantsTable) => encodeCursor(columns.map((c) => row[c]));
  return { rows, total, cursorOf };
}
