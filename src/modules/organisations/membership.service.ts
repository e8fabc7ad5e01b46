import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../audit/index.js';
import { createStaffUser, findStaffUserByEmail } from '../staff/index.js';
import { findMembershipRole } from './organisation.repository.js';
import { addMember, changeMemberRole, removeMember } from './organisation.service.js';
import { ROLES, roleAtLeast, type Role } from './organisation.types.js';

/**
 * Staff management as done by a member of the organisation (the back-office), on top of the bare
 * membership operations: admins manage admins, staff and scanners; only an owner can make or
 * unmake an owner, so an admin can neither promote themselves nor push an owner out.
 */
export function assignableRoles(actorRole: Role): readonly Role[] {
  if (actorRole === 'owner') return ROLES;
  if (actorRole === 'admin') return ROLES.filter((role) => role !== 'owner');
  return [];
}

function assertMayManage(actorRole: Role, ...roles: Role[]): void {
  if (!roleAtLeast(actorRole, 'admin')) throw new DomainError('forbidden', 'Managing staff needs the admin role or higher');
  if (roles.some((role) => !assignableRoles(actorRole).includes(role))) {
    throw new DomainError('forbidden', 'Only an owner can grant or remove the owner role');
  }
}

/** Who manages: the acting staff member and their role in this organisation. */
export interface Manager {
  actor: Actor;
  role: Role;
}

export interface NewMemberInput {
  name: string;
  email: string;
  role: Role;
  /** Used only when the email has no staff account yet; an existing account keeps its password. */
  password: string | null;
}

/**
 * Adds a staff member: creates the staff account when the email is new, otherwise adds the existing
 * account. Run it in a transaction so an account is never created without its membership.
 */
export async function addStaffMember(
  db: Db,
  ctx: Ctx,
  by: Manager,
  orgId: string,
  input: NewMemberInput,
): Promise<{ userId: string; created: boolean }> {
  assertMayManage(by.role, input.role);
  const existing = await findStaffUserByEmail(db, input.email);
  if (existing) {
    await addMember(db, ctx, by.actor, orgId, existing.id, input.role);
    return { userId: existing.id, created: false };
  }
  if (!input.password) throw new DomainError('validation_failed', 'A new staff account needs an initial password');
  const user = await createStaffUser(db, ctx, { email: input.email, name: input.name, password: input.password });
  await audit(db, ctx, by.actor, { orgId, action: 'staff.account_created', target: { type: 'staff', id: user.id }, data: { email: user.email, name: user.name } });
  await addMember(db, ctx, by.actor, orgId, user.id, input.role);
  return { userId: user.id, created: true };
}

async function currentRole(db: Db, orgId: string, userId: string): Promise<Role> {
  const role = await findMembershipRole(db, orgId, userId);
  if (!role) throw new DomainError('not_found', 'staff member not found');
  return role;
}

/** Changes a member's role; the last owner stays an owner (changeMemberRole refuses). */
export async function changeStaffRole(db: Db, ctx: Ctx, by: Manager, orgId: string, userId: string, role: Role): Promise<void> {
  assertMayManage(by.role, await currentRole(db, orgId, userId), role);
  await changeMemberRole(db, ctx, by.actor, orgId, userId, role);
}

/** Removes a member from the organisation; their staff account stays for other organisations. */
export async function removeStaffMember(db: Db, ctx: Ctx, by: Manager, orgId: string, userId: string): Promise<void> {
  assertMayManage(by.role, await currentRole(db, orgId, userId));
  await removeMember(db, ctx, by.actor, orgId, userId);
}
