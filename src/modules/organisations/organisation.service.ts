import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { slugify } from '../../lib/text.js';
import { audit } from '../audit/index.js';
import {
  countOwners,
  deleteMembership,
  findMembershipRole,
  findOrganisationById,
  insertMembership,
  insertOrganisation,
  slugTaken,
  updateMembershipRole,
  updateOrganisationRow,
} from './organisation.repository.js';
import { DEFAULT_SETTINGS, type Organisation, type OrganisationSettings, type Role } from './organisation.types.js';

async function uniqueSlug(db: Db, ctx: Ctx, name: string): Promise<string> {
  const base = slugify(name) || 'org';
  if (!(await slugTaken(db, base))) return base;
  return `${base}-${ctx.random.bytes(3).toString('hex')}`;
}

/** Creates an organisation with its first owner. New organisations require email validation. */
export async function createOrganisation(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  input: { name: string; ownerUserId: string },
): Promise<Organisation> {
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  const slug = await uniqueSlug(db, ctx, input.name);
  await insertOrganisation(db, {
    id,
    name: input.name,
    slug,
    settings: JSON.stringify(DEFAULT_SETTINGS),
    created_at: now,
    updated_at: now,
  });
  await insertMembership(db, { org_id: id, user_id: input.ownerUserId, role: 'owner', created_at: now });
  await audit(db, ctx, actor, { orgId: id, action: 'organisation.created', target: { type: 'organisation', id }, data: { name: input.name } });
  return { id, name: input.name, slug, settings: DEFAULT_SETTINGS, createdAt: now };
}

export async function updateOrganisation(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  input: { name: string; settings: OrganisationSettings },
): Promise<void> {
  await updateOrganisationRow(db, orgId, {
    name: input.name,
    settings: JSON.stringify(input.settings),
    updated_at: ctx.clock.now().toISOString(),
  });
  await audit(db, ctx, actor, { orgId, action: 'organisation.updated', target: { type: 'organisation', id: orgId }, data: input });
}

export async function getOrganisation(db: Db, orgId: string): Promise<Organisation> {
  const org = await findOrganisationById(db, orgId);
  if (!org) throw new DomainError('not_found', 'organisation not found');
  return org;
}

/** The caller's role, or null when they are no member: callers answer 404, not 403. */
export async function roleOf(db: Db, orgId: string, userId: string): Promise<Role | null> {
  return findMembershipRole(db, orgId, userId);
}

export async function addMember(db: Db, ctx: Ctx, actor: Actor, orgId: string, userId: string, role: Role): Promise<void> {
  if (await findMembershipRole(db, orgId, userId)) throw new DomainError('conflict', 'already a member');
  await insertMembership(db, { org_id: orgId, user_id: userId, role, created_at: ctx.clock.now().toISOString() });
  await audit(db, ctx, actor, { orgId, action: 'staff.added', target: { type: 'staff', id: userId }, data: { role } });
}

export async function changeMemberRole(db: Db, ctx: Ctx, actor: Actor, orgId: string, userId: string, role: Role): Promise<void> {
  const current = await findMembershipRole(db, orgId, userId);
  if (!current) throw new DomainError('not_found', 'staff member not found');
  if (current === 'owner' && role !== 'owner' && (await countOwners(db, orgId)) <= 1) {
    throw new DomainError('last_owner', 'an organisation keeps at least one owner');
  }
  await updateMembershipRole(db, orgId, userId, role);
  await audit(db, ctx, actor, { orgId, action: 'staff.role_changed', target: { type: 'staff', id: userId }, data: { from: current, to: role } });
}

export async function removeMember(db: Db, ctx: Ctx, actor: Actor, orgId: string, userId: string): Promise<void> {
  const current = await findMembershipRole(db, orgId, userId);
  if (!current) throw new DomainError('not_found', 'staff member not found');
  if (current === 'owner' && (await countOwners(db, orgId)) <= 1) {
    throw new DomainError('last_owner', 'an organisation keeps at least one owner');
  }
  await deleteMembership(db, orgId, userId);
  await audit(db, ctx, actor, { orgId, action: 'staff.removed', target: { type: 'staff', id: userId } });
}
