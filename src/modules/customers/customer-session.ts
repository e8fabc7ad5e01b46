import type { CustomerSessionsTable, Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { hashToken, mintToken } from '../../lib/tokens.js';

/** Shop sessions: an hour idle, twelve hours at most. The cookie holds a token; the table its hash. */
export const CUSTOMER_SESSION = { idleMinutes: 60, absoluteMinutes: 12 * 60 } as const;
const TOUCH_INTERVAL_MS = 60_000;

export interface CustomerSession {
  orgId: string;
  contactId: string;
  posId: string;
  createdAt: string;
  expiresAt: string;
}

function fromRow(row: CustomerSessionsTable): CustomerSession {
  return { orgId: row.org_id, contactId: row.contact_id, posId: row.pos_id, createdAt: row.created_at, expiresAt: row.expires_at };
}

export async function startCustomerSession(db: Db, ctx: Ctx, input: { orgId: string; contactId: string; posId: string }): Promise<{ token: string; session: CustomerSession }> {
  const token = mintToken('cus', ctx.random);
  const now = ctx.clock.now();
  const row: CustomerSessionsTable = {
    id_hash: hashToken(token),
    org_id: input.orgId,
    contact_id: input.contactId,
    pos_id: input.posId,
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: new Date(now.getTime() + CUSTOMER_SESSION.absoluteMinutes * 60_000).toISOString(),
  };
  await db.insertInto('customer_sessions').values(row).execute();
  return { token, session: fromRow(row) };
}

/** The session behind a cookie, or null (unknown, idle too long, too old, or ended by an email change). */
export async function resolveCustomerSession(db: Db, ctx: Ctx, token: string): Promise<CustomerSession | null> {
  if (token.length > 80) return null;
  const idHash = hashToken(token);
  const row = await db.selectFrom('customer_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  if (!row) return null;
  const now = ctx.clock.now();
  const idleLimit = new Date(row.last_seen_at).getTime() + CUSTOMER_SESSION.idleMinutes * 60_000;
  if (now.toISOString() >= row.expires_at || now.getTime() >= idleLimit) {
    await db.deleteFrom('customer_sessions').where('id_hash', '=', idHash).execute();
    return null;
  }
  if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_INTERVAL_MS) {
    await db.updateTable('customer_sessions').set({ last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute();
  }
  return fromRow(row);
}

export async function endCustomerSession(db: Db, token: string): Promise<void> {
  if (token.length <= 80) await db.deleteFrom('customer_sessions').where('id_hash', '=', hashToken(token)).execute();
}

/** Signs a customer out everywhere at once (they changed their own address, or reset the password). */
export async function endContactSessions(db: Db, contactId: string): Promise<number> {
  const result = await db.deleteFrom('customer_sessions').where('contact_id', '=', contactId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
