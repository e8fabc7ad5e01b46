import type { Db, MembershipsTable, OrganisationsTable } from '../../db/database.js';
import { DEFAULT_SETTINGS, type Organisation, type Role } from './organisation.types.js';

export function organisationFromRow(row: OrganisationsTable): Organisation {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    settings: { ...DEFAULT_SETTINGS, ...(JSON.parse(row.settings) as object) },
    createdAt: row.created_at,
  };
}

export async function insertOrganisation(db: Db, row: OrganisationsTable): Promise<void> {
  await db.insertInto('organisations').values(row).execute();
}

export async function findOrganisationById(db: Db, id: string): Promise<Organisation | null> {
  const row = await db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? organisationFromRow(row) : null;
}

export async function findOrganisationBySlug(db: Db, slug: string): Promise<Organisation | null> {
  const row = await db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row ? organisationFromRow(row) : null;
}

export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  const row = await db.selectFrom('organisations').select('id').where('slug', '=', slug).executeTakeFirst();
  return row !== undefined;
}

export async function countOrganisations(db: Db): Promise<number> {
  const row = await db.selectFrom('organisations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateOrganisationRow(
  db: Db,
  id: string,
  values: Partial<Pick<OrganisationsTable, 'name' | 'settings' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('organisations').set(values).where('id', '=', id).execute();
}

export async function insertMembership(db: Db, row: MembershipsTable): Promise<void> {
  await db.insertInto('memberships').values(row).execute();
}

export async function findMembershipRole(db: Db, orgId: string, userId: string): Promise<Role | null> {
  const row = await db
    .selectFrom('memberships')
    .select('role')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

export async function findOrganisationsOfUser(db: Db, userId: string): Promise<Array<Organisation & { role: Role }>> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('organisations', 'organisations.id', 'memberships.org_id')
    .selectAll('organisations')
    .select('memberships.role')
    .where('memberships.user_id', '=', userId)
    .orderBy('organisations.name')
    .execute();
  return rows.map((row) => ({ ...organisationFromRow(row), role: row.role }));
}

export async function findMembers(db: Db, orgId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('staff_users', 'staff_users.id', 'memberships.user_id')
    .select(['staff_users.id', 'staff_users.email', 'staff_users.name', 'staff_users.disabled_at', 'memberships.role', 'memberships.created_at'])
    .where('memberships.org_id', '=', orgId)
    .orderBy('staff_users.name')
    .execute();
}

export async function updateMembershipRole(db: Db, orgId: string, userId: string, role: Role): Promise<number> {
  const result = await db
    .updateTable('memberships')
    .set({ role })
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deleteMembership(db: Db, orgId: string, userId: string): Promise<number> {
  const result = await db.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function countOwners(db: Db, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
