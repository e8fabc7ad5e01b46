import { sql } from 'kysely';
import type { AccessCodesTable, Db, Dialect, SignInMethod, SignInsTable } from '../../db/database.js';

export type AccessCodeRow = AccessCodesTable;

/** Inserts codes for participants that have none; returns the ids that got one (a MAC clash in the event loses its row). */
export async function insertCodes(db: Db, rows: AccessCodesTable[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const inserted = await db.insertInto('access_codes').values(rows).onConflict((oc) => oc.doNothing()).returning('participant_id').execute();
  return inserted.map((r) => r.participant_id);
}

export async function findCodeRow(db: Db, orgId: string, participantId: string): Promise<AccessCodeRow | undefined> {
  return db.selectFrom('access_codes').selectAll().where('org_id', '=', orgId).where('participant_id', '=', participantId).executeTakeFirst();
}

export async function findCodeRows(db: Db, orgId: string, participantIds: readonly string[]): Promise<AccessCodeRow[]> {
  if (participantIds.length === 0) return [];
  return db.selectFrom('access_codes').selectAll().where('org_id', '=', orgId).where('participant_id', 'in', participantIds).execute();
}

export async function participantIdsWithCode(db: Db, participantIds: readonly string[]): Promise<Set<string>> {
  if (participantIds.length === 0) return new Set();
  const rows = await db.selectFrom('access_codes').select('participant_id').where('participant_id', 'in', participantIds).execute();
  return new Set(rows.map((r) => r.participant_id));
}

/** Whose code in the event has one of these MACs (one per key during a rotation). */
export async function findHolderOfMac(db: Db, eventId: string, macs: readonly string[]): Promise<string | null> {
  const row = await db.selectFrom('access_codes').select('participant_id').where('event_id', '=', eventId).where('code_mac', 'in', macs).executeTakeFirst();
  return row?.participant_id ?? null;
}

/**
 * Counts an attempt BEFORE the code is compared, in one statement that only passes while the row
 * is not locked. Concurrent attempts serialise on the row (PostgreSQL re-checks the WHERE against
 * the row another transaction just updated), so 50 parallel guesses evaluate at most as many
 * codes as the limit lets through. `lockCase` gives the lock for the attempt that reaches it.
 * Returns the stored MAC to compare against, or nothing when locked or unknown.
 */
export async function claimAttempt(
  db: Db,
  dialect: Dialect,
  participantId: string,
  now: string,
  lockAfter: readonly string[],
): Promise<Pick<AccessCodeRow, 'code_mac' | 'mac_key_id' | 'failures'> | undefined> {
  // lockAfter[i] is the lock end for the attempt that makes failures = threshold + i; the last one repeats.
  const threshold = LOCK_THRESHOLD;
  const branches = lockAfter.map((until, i) => sql`when ${threshold - 1 + i} then ${until}`);
  const last = lockAfter[lockAfter.length - 1]!;
  const claim = sql<Pick<AccessCodeRow, 'code_mac' | 'mac_key_id' | 'failures'>>`
    update access_codes
    set failures = failures + 1,
        locked_until = case when failures + 1 >= ${threshold} then (case failures ${sql.join(branches, sql` `)} else ${last} end) else null end
    where participant_id = ${participantId} and (locked_until is null or locked_until <= ${now})
    returning code_mac, mac_key_id, failures`;
  if (dialect === 'sqlite') return (await claim.execute(db)).rows[0];
  // On PostgreSQL a commit that wrote (a wrong code counted) waits for the WAL flush, one that
  // wrote nothing (unknown address, locked code) does not: milliseconds that would tell them
  // apart. Not waiting for the flush makes them alike; a crash can lose the last fraction of a
  // second of counted failures, never a lock already seen by a later attempt.
  return db.transaction().execute(async (trx) => {
    await sql`set local synchronous_commit to off`.execute(trx);
    return (await claim.execute(trx)).rows[0];
  });
}

export const LOCK_THRESHOLD = 10;

export async function recordCodeSuccess(db: Db, participantId: string, now: string): Promise<void> {
  await db.updateTable('access_codes').set({ failures: 0, locked_until: null, last_used_at: now }).where('participant_id', '=', participantId).execute();
}

/** A new code keeps the failure count and the lock: changing it is no way around the limit. */
export async function replaceCode(db: Db, orgId: string, participantId: string, values: Pick<AccessCodeRow, 'code_mac' | 'mac_key_id' | 'sealed' | 'origin' | 'set_at'>): Promise<boolean> {
  const result = await db.updateTable('access_codes').set(values).where('org_id', '=', orgId).where('participant_id', '=', participantId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Codes whose MAC or sealed copy was made with a key other than the current ones, a page at a time. */
export async function codesNotUnder(db: Db, macKeyId: string, sealPrefix: string, after: string, limit: number): Promise<AccessCodeRow[]> {
  return db
    .selectFrom('access_codes')
    .selectAll()
    .where('participant_id', '>', after)
    .where((eb) => eb.or([eb('mac_key_id', '!=', macKeyId), eb.and([eb('sealed', 'is not', null), eb('sealed', 'not like', `${sealPrefix}%`)])]))
    .orderBy('participant_id')
    .limit(limit)
    .execute();
}

export async function rekeyCode(db: Db, participantId: string, values: Pick<AccessCodeRow, 'code_mac' | 'mac_key_id' | 'sealed'>): Promise<void> {
  await db.updateTable('access_codes').set(values).where('participant_id', '=', participantId).execute();
}

export async function markCodesSent(db: Db, participantIds: readonly string[], now: string): Promise<void> {
  if (participantIds.length === 0) return;
  await db.updateTable('access_codes').set({ last_sent_at: now }).where('participant_id', 'in', participantIds).execute();
}

export async function insertSignIn(db: Db, row: SignInsTable): Promise<void> {
  await db.insertInto('sign_ins').values(row).execute();
}

export interface SignInDay {
  day: string;
  method: SignInMethod;
  count: number;
}

/** Sign-ins per UTC day and method, and distinct people who signed in, for one event. */
export async function signInsByDay(db: Db, orgId: string, eventId: string): Promise<SignInDay[]> {
  const rows = await db
    .selectFrom('sign_ins')
    .select([sql<string>`substr(signed_in_at, 1, 10)`.as('day'), 'method', (eb) => eb.fn.countAll<number>().as('count')])
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .groupBy([sql`substr(signed_in_at, 1, 10)`, 'method'])
    .orderBy('day')
    .execute();
  return rows.map((r) => ({ day: r.day, method: r.method, count: Number(r.count) }));
}

export async function distinctSignedIn(db: Db, orgId: string, eventId: string): Promise<number> {
  const row = await db
    .selectFrom('sign_ins')
    .select((eb) => eb.fn.count<number>('participant_id').distinct().as('n'))
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface NeverSignedInRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  registered_at: string | null;
}

/** Registered participants with no sign-in yet, by name; keyset on (last, first, id). */
export async function neverSignedIn(db: Db, orgId: string, eventId: string, limit: number, offset: number): Promise<{ rows: NeverSignedInRow[]; total: number }> {
  const base = db
    .selectFrom('participants')
    .where('participants.org_id', '=', orgId)
    .where('participants.event_id', '=', eventId)
    .where('participants.status', '=', 'registered')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('sign_ins').select('sign_ins.id').whereRef('sign_ins.participant_id', '=', 'participants.id'))));
  const [rows, total] = await Promise.all([
    base.select(['id', 'first_name', 'last_name', 'email', 'registered_at']).orderBy('last_name').orderBy('first_name').orderBy('id').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}
