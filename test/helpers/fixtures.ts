import type { Role } from '../../src/modules/organisations/index.js';
import { addMember } from '../../src/modules/organisations/index.js';
import { createOrganisationWithOwner } from '../../src/modules/setup/index.js';
import { createStaffUser } from '../../src/modules/staff/index.js';
import { Session } from './browser-session.js';
import type { TestApp } from './app.js';

export const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };

let counter = 0;
function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}-${process.pid}@example.org`;
}

export interface Org {
  orgId: string;
  ownerId: string;
  ownerEmail: string;
}

export async function seedOrganisation(t: TestApp, name = 'Acme Events'): Promise<Org> {
  const ownerEmail = uniqueEmail('owner');
  const { organisation, owner } = await t.db.transaction().execute((trx) =>
    createOrganisationWithOwner(trx, t.ctx, cli, { organisationName: name, name: 'Olive Owner', email: ownerEmail, password: PASSWORD }),
  );
  return { orgId: organisation.id, ownerId: owner.id, ownerEmail };
}

export async function seedStaff(t: TestApp, orgId: string, role: Role): Promise<{ id: string; email: string }> {
  const email = uniqueEmail(role);
  const user = await createStaffUser(t.db, t.ctx, { email, name: `${role} person`, password: PASSWORD });
  await addMember(t.db, t.ctx, cli, orgId, user.id, role);
  return { id: user.id, email };
}

/** A browser-like session signed in through the real sign-in form. */
export async function signedIn(t: TestApp, email: string, password = PASSWORD): Promise<Session> {
  const session = new Session(t.app);
  const response = await session.post('/admin/login', { email, password });
  if (response.statusCode !== 303) throw new Error(`sign-in failed with ${response.statusCode}`);
  return session;
}
