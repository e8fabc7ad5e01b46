import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../lib/errors.js';
import { isId } from '../lib/ids.js';
import { getOrganisation, roleAtLeast, roleOf, type Organisation, type Role } from '../modules/organisations/index.js';
import { resolveSession, type StaffUser } from '../modules/staff/index.js';

export const STAFF_COOKIE = 'tessera_staff';

export function sessionPolicy(app: FastifyInstance) {
  const { config } = app.deps;
  return { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours };
}

export function setStaffCookie(app: FastifyInstance, reply: FastifyReply, token: string): void {
  const { config } = app.deps;
  reply.setCookie(STAFF_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.publicUrl.protocol === 'https:',
    maxAge: config.sessionAbsoluteHours * 3600,
  });
}

export function clearStaffCookie(reply: FastifyReply): void {
  reply.clearCookie(STAFF_COOKIE, { path: '/' });
}

/** onRequest hook: resolves the staff session cookie, if any, into request.staff. */
export async function loadStaffSession(this: FastifyInstance, request: FastifyRequest): Promise<void> {
  const token = request.cookies[STAFF_COOKIE];
  request.staff = token ? await resolveSession(this.deps.db, this.deps, token, sessionPolicy(this)) : null;
}

export function requireStaff(request: FastifyRequest): StaffUser {
  if (!request.staff) throw new DomainError('unauthenticated', 'Sign in to continue');
  return request.staff;
}

export interface OrgAccess {
  org: Organisation;
  role: Role;
  staff: StaffUser;
}

/**
 * The signed-in staff member's access to an organisation. Someone who is not a member gets
 * not_found, exactly as for an organisation that does not exist: nothing leaks across tenants.
 */
export async function requireOrg(app: FastifyInstance, request: FastifyRequest, orgId: string, minimum: Role): Promise<OrgAccess> {
  const staff = requireStaff(request);
  if (!isId(orgId)) throw new DomainError('not_found', 'Not found');
  const role = await roleOf(app.deps.db, orgId, staff.id);
  if (!role) throw new DomainError('not_found', 'Not found');
  if (!roleAtLeast(role, minimum)) throw new DomainError('forbidden', `This needs the ${minimum} role or higher`);
  return { org: await getOrganisation(app.deps.db, orgId), role, staff };
}
