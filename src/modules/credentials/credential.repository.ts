import { sql } from 'kysely';
import type { CredentialsTable, Db } from '../../db/database.js';
import type { Credential, CredentialPurpose } from './credential.types.js';

function parseData(text: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function credentialFromRow(row: CredentialsTable): Credential {
  return {
    id: row.id,
    purpose: row.purpose,
    orgId: row.org_id,
    eventId: row.event_id,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    email: row.email,
    outboxId: row.outbox_id,
    issuedBy: row.issued_by,
    data: Object.freeze(parseData(row.data)),
    singleUse: row.single_use === 1,
    test: row.test === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    useCount: Number(row.use_count),
    lastUsedAt: row.last_used_at,
    consumedAt: row.consumed_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    fetchCount: Number(row.fetch_count),
    lastFetchedAt: row.last_fetched_at,
    lastFetchAgent: row.last_fetch_agent,
  };
}

export async function insertCredential(db: Db, row: CredentialsTable): Promise<void> {
  await db.insertInto('credentials').values(row).execute();
}

/** The one indexed lookup a link costs. */
export async function findByHash(db: Db, tokenHash: string): Promise<Credential | null> {
  const row = await db.selectFrom('credentials').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row ? credentialFromRow(row) : null;
}

export async function findById(db: Db, orgId: string, id: string): Promise<Credential | null> {
  const row = await db.selectFrom('credentials').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row ? credentialFromRow(row) : null;
}

/**
 * Uses a credential in one statement: the conditions that make it usable are in the WHERE
 * clause, so of concurrent redemptions of a one-time credential exactly one updates the row.
 */
export async function useByHash(db: Db, tokenHash: string, purposes: readonly CredentialPurpose[], eventId: string | undefined, now: string): Promise<Credential | null> {
  // Written as SQL rather than with the query builder: this runs on every redeem, and building
  // and compiling the builder's version (a SET with a CASE, parsed on every call) was a few
  // percent of a redeem's CPU.
  const { rows } = await sql<CredentialsTable>`
    update credentials
    set use_count = use_count + 1,
        last_used_at = ${now},
        consumed_at = case when single_use = 1 then ${now} else consumed_at end
    where token_hash = ${tokenHash}
      and purpose in (${sql.join(purposes)})
      and revoked_at is null
      and consumed_at is null
      and test = 0
      and expires_at > ${now}
      ${eventId !== undefined ? sql`and event_id = ${eventId}` : sql``}
    returning *`.execute(db);
  return rows[0] ? credentialFromRow(rows[0]) : null;
}

export async function recordFetch(db: Db, id: string, now: string, agent: string | null): Promise<void> {
  await db
    .updateTable('credentials')
    .set((eb) => ({ fetch_count: eb('fetch_count', '+', 1), last_fetched_at: now, last_fetch_agent: agent }))
    .where('id', '=', id)
    .execute();
}

export interface RevokeWhere {
  orgId: string;
  id?: string | undefined;
  subject?: { type: Credential['subjectType']; id: string } | undefined;
  eventId?: string | undefined;
  purpose?: CredentialPurpose | undefined;
  /** Keep this one (a new sign-in link kills only the earlier ones). */
  exceptId?: string | undefined;
}

/** Revokes every live credential matching; returns how many. */
export async function revokeWhere(db: Db, where: RevokeWhere, now: string, reason: string): Promise<number> {
  let query = db
    .updateTable('credentials')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('org_id', '=', where.orgId)
    .where('revoked_at', 'is', null)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now);
  if (where.id) query = query.where('id', '=', where.id);
  if (where.subject) query = query.where('subject_type', '=', where.subject.type).where('subject_id', '=', where.subject.id);
  if (where.eventId) query = query.where('event_id', '=', where.eventId);
  if (where.purpose) query = query.where('purpose', '=', where.purpose);
  if (where.exceptId) query = query.where('id', '!=', where.exceptId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findForSubject(db: Db, orgId: string, subject: { type: Credential['subjectType']; id: string }, limit: number): Promise<Credential[]> {
  const rows = await db
    .selectFrom('credentials')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('subject_type', '=', subject.type)
    .where('subject_id', '=', subject.id)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(credentialFromRow);
}
