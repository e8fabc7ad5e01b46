import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { decoyHash, hashPassword, verifyPassword } from '../../lib/password.js';
import { hashToken, mintToken } from '../../lib/tokens.js';
import { audit } from '../audit/index.js';
import {
  deleteSession,
  deleteSessionsOfUser,
  findSession,
  findStaffByEmailKey,
  findStaffById,
  incrementFailedLogins,
  insertSession,
  insertStaff,
  touchSession,
  updateStaff,
} from './staff.repository.js';

export interface StaffUser {
  id: string;
  email: string;
  name: string;
}

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

export const MIN_PASSWORD_LENGTH = 10;
const LOCK_AFTER_FAILURES = 10;
// Writing last_seen_at on every request would make every page view a write.
const TOUCH_INTERVAL_MS = 60_000;

export function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > 256) {
    throw new DomainError('validation_failed', `Passwords need ${MIN_PASSWORD_LENGTH} to 256 characters`);
  }
}

export async function createStaffUser(
  db: Db,
  ctx: Ctx,
  input: { email: string; name: string; password: string },
): Promise<StaffUser> {
  const canonical = canonicalEmail(input.email);
  if (!canonical) throw new DomainError('invalid_email', 'That email address is not valid');
  checkNewPassword(input.password);
  if (await findStaffByEmailKey(db, canonical.key)) throw new DomainError('duplicate_email', 'A staff account already uses that email');
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  await insertStaff(db, {
    id,
    email: canonical.email,
    email_key: canonical.key,
    name: input.name.trim(),
    password_hash: await hashPassword(input.password, ctx.random),
    failed_logins: 0,
    locked_until: null,
    disabled_at: null,
    created_at: now,
    updated_at: now,
  });
  return { id, email: canonical.email, name: input.name.trim() };
}

export async function findStaffUserByEmail(db: Db, email: string): Promise<StaffUser | null> {
  const canonical = canonicalEmail(email);
  const row = canonical ? await findStaffByEmailKey(db, canonical.key) : undefined;
  return row ? { id: row.id, email: row.email, name: row.name } : null;
}

let decoy: Promise<string> | null = null;

function isLocked(row: { locked_until: string | null }, now: Date): boolean {
  return row.locked_until !== null && row.locked_until > now.toISOString();
}

async function countFailedLogin(db: Db, userId: string, now: Date): Promise<void> {
  const failures = await incrementFailedLogins(db, userId);
  if (failures >= LOCK_AFTER_FAILURES) {
    await updateStaff(db, userId, { locked_until: new Date(now.getTime() + lockDelayMs(failures)).toISOString() });
  }
}

function lockDelayMs(failures: number): number {
  // 1, 2, 4 ... minutes, capped at an hour: slows guessing without locking the owner out for long.
  return Math.min(2 ** (failures - LOCK_AFTER_FAILURES), 60) * 60_000;
}

/**
 * Email + password sign-in. Returns null for any failure (unknown email, wrong password, locked or
 * disabled account) after the same amount of hashing work, so answers cannot be told apart.
 */
export async function signIn(
  db: Db,
  ctx: Ctx,
  input: { email: string; password: string; ip: string | null; userAgent: string | null },
  policy: SessionPolicy,
): Promise<{ token: string; user: StaffUser } | null> {
  const canonical = canonicalEmail(input.email);
  const row = canonical ? await findStaffByEmailKey(db, canonical.key) : undefined;
  decoy ??= decoyHash(ctx.random);
  const valid = await verifyPassword(input.password.slice(0, 256), row?.password_hash ?? (await decoy));
  const now = ctx.clock.now();
  const actor: Actor = { type: 'anonymous', id: null, label: canonical?.email ?? null, ip: input.ip };
  if (!row) return null;
  const locked = isLocked(row, now);
  if (!valid || locked || row.disabled_at) {
    if (!valid) await countFailedLogin(db, row.id, now);
    await audit(db, ctx, { ...actor, type: 'staff', id: row.id }, { orgId: null, action: 'staff.sign_in_failed', target: { type: 'staff', id: row.id }, data: { locked } });
    return null;
  }
  await updateStaff(db, row.id, { failed_logins: 0, locked_until: null });
  const token = mintToken('staff', ctx.random);
  await insertSession(db, {
    id_hash: hashToken(token),
    user_id: row.id,
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: new Date(now.getTime() + policy.absoluteHours * 3_600_000).toISOString(),
    ip: input.ip,
    user_agent: input.userAgent?.slice(0, 300) ?? null,
  });
  await audit(db, ctx, { type: 'staff', id: row.id, label: row.email, ip: input.ip }, { orgId: null, action: 'staff.signed_in', target: { type: 'staff', id: row.id } });
  return { token, user: { id: row.id, email: row.email, name: row.name } };
}

/** The user behind a session cookie, or null when it is unknown, idle too long or past its age. */
export async function resolveSession(db: Db, ctx: Ctx, token: string, policy: SessionPolicy): Promise<StaffUser | null> {
  if (token.length > 80) return null;
  const idHash = hashToken(token);
  const session = await findSession(db, idHash);
  if (!session) return null;
  const now = ctx.clock.now();
  const idleLimit = new Date(session.last_seen_at).getTime() + policy.idleMinutes * 60_000;
  if (now.toISOString() >= session.expires_at || now.getTime() >= idleLimit) {
    await deleteSession(db, idHash);
    return null;
  }
  const user = await findStaffById(db, session.user_id);
  if (!user || user.disabled_at) return null;
  if (now.getTime() - new Date(session.last_seen_at).getTime() > TOUCH_INTERVAL_MS) {
    await touchSession(db, idHash, now.toISOString());
  }
  return { id: user.id, email: user.email, name: user.name };
}

export async function signOut(db: Db, ctx: Ctx, token: string, actor: Actor): Promise<void> {
  await deleteSession(db, hashToken(token));
  await audit(db, ctx, actor, { orgId: null, action: 'staff.signed_out', target: actor.id ? { type: 'staff', id: actor.id } : null });
}

export async function changeStaffPassword(db: Db, ctx: Ctx, actor: Actor, userId: string, password: string): Promise<void> {
  checkNewPassword(password);
  await updateStaff(db, userId, { password_hash: await hashPassword(password, ctx.random), updated_at: ctx.clock.now().toISOString() });
  // A new password ends every session: whoever knew the old one is out.
  await deleteSessionsOfUser(db, userId);
  await audit(db, ctx, actor, { orgId: null, action: 'staff.password_changed', target: { type: 'staff', id: userId } });
}

/**
 * The signed-in user changes their own password, proving they know the current one. Returns false
 * when it is wrong or the account is locked. A wrong guess counts as a failed sign-in, so a stolen
 * session cannot be used to guess the password faster than the sign-in form allows.
 */
export async function changeOwnPassword(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  input: { userId: string; currentPassword: string; newPassword: string },
): Promise<boolean> {
  checkNewPassword(input.newPassword);
  const row = await findStaffById(db, input.userId);
  if (!row) return false;
  const now = ctx.clock.now();
  const locked = isLocked(row, now);
  const valid = await verifyPassword(input.currentPassword.slice(0, 256), row.password_hash);
  if (!valid || locked) {
    if (!valid) await countFailedLogin(db, row.id, now);
    await audit(db, ctx, actor, { orgId: null, action: 'staff.password_change_failed', target: { type: 'staff', id: row.id }, data: { locked } });
    return false;
  }
  await changeStaffPassword(db, ctx, actor, row.id, input.newPassword);
  return true;
}
