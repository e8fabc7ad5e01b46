import { insertRow } from '../../db/bulk.js';
import type { Db, SponsorContactRole, SponsorContactsTable, SponsorLeadsTable, SponsorSessionsTable, SponsorsTable } from '../../db/database.js';

/** Every column but the logo bytes: lists and pages never carry them. */
const SPONSOR_COLUMNS = ['id', 'org_id', 'event_id', 'name', 'description', 'links', 'booth', 'logo_type', 'logo_sha', 'created_at', 'updated_at'] as const;
export type SponsorRow = Omit<SponsorsTable, 'logo_data'>;

export async function insertSponsor(db: Db, row: SponsorsTable): Promise<void> {
  await insertRow(db, 'sponsors', row);
}

export async function findSponsor(db: Db, orgId: string, eventId: string, id: string): Promise<SponsorRow | null> {
  const row = await db.selectFrom('sponsors').select(SPONSOR_COLUMNS).where('org_id', '=', orgId).where('event_id', '=', eventId).where('id', '=', id).executeTakeFirst();
  return row ?? null;
}

export async function findSponsors(db: Db, orgId: string, eventId: string): Promise<SponsorRow[]> {
  return db.selectFrom('sponsors').select(SPONSOR_COLUMNS).where('org_id', '=', orgId).where('event_id', '=', eventId).orderBy('name').orderBy('id').execute();
}

export async function findLogo(db: Db, orgId: string, eventId: string, id: string): Promise<Pick<SponsorsTable, 'logo_data' | 'logo_type' | 'logo_sha'> | null> {
  const row = await db
    .selectFrom('sponsors')
    .select(['logo_data', 'logo_type', 'logo_sha'])
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ?? null;
}

export async function updateSponsorRow(db: Db, orgId: string, id: string, values: Partial<Omit<SponsorsTable, 'id' | 'org_id' | 'event_id' | 'created_at'>>): Promise<void> {
  await db.updateTable('sponsors').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteSponsorRow(db: Db, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('sponsors').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export interface SponsorContactRow extends SponsorContactsTable {
  email: string;
  first_name: string;
  last_name: string;
}

function contactsQuery(db: Db, orgId: string) {
  return db
    .selectFrom('sponsor_contacts')
    .innerJoin('contacts', 'contacts.id', 'sponsor_contacts.contact_id')
    .selectAll('sponsor_contacts')
    .select(['contacts.email', 'contacts.first_name', 'contacts.last_name'])
    .where('sponsor_contacts.org_id', '=', orgId);
}

export async function findSponsorContacts(db: Db, orgId: string, sponsorId: string): Promise<SponsorContactRow[]> {
  return contactsQuery(db, orgId).where('sponsor_contacts.sponsor_id', '=', sponsorId).orderBy('sponsor_contacts.created_at').orderBy('sponsor_contacts.id').execute();
}

export async function findSponsorContact(db: Db, orgId: string, sponsorId: string, id: string): Promise<SponsorContactRow | null> {
  const row = await contactsQuery(db, orgId).where('sponsor_contacts.sponsor_id', '=', sponsorId).where('sponsor_contacts.id', '=', id).executeTakeFirst();
  return row ?? null;
}

export async function insertSponsorContact(db: Db, row: SponsorContactsTable): Promise<void> {
  await insertRow(db, 'sponsor_contacts', row);
}

export async function deleteSponsorContactRow(db: Db, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('sponsor_contacts').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function insertSponsorSession(db: Db, row: SponsorSessionsTable): Promise<void> {
  await insertRow(db, 'sponsor_sessions', row);
}

/** The session, its contact's address and whether its permalink was revoked, in one lookup. */
export async function findSponsorSession(db: Db, idHash: string): Promise<(SponsorSessionsTable & { credential_revoked_at: string | null; email: string; role: SponsorContactRole }) | null> {
  const row = await db
    .selectFrom('sponsor_sessions')
    .innerJoin('credentials', 'credentials.id', 'sponsor_sessions.credential_id')
    .innerJoin('sponsor_contacts', 'sponsor_contacts.id', 'sponsor_sessions.sponsor_contact_id')
    .selectAll('sponsor_sessions')
    .select(['credentials.revoked_at as credential_revoked_at', 'credentials.email', 'sponsor_contacts.role'])
    .where('sponsor_sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  return row ?? null;
}

export async function touchSponsorSession(db: Db, idHash: string, now: string): Promise<void> {
  await db.updateTable('sponsor_sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function deleteSponsorSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sponsor_sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteContactSessions(db: Db, orgId: string, sponsorContactId: string): Promise<number> {
  const result = await db.deleteFrom('sponsor_sessions').where('org_id', '=', orgId).where('sponsor_contact_id', '=', sponsorContactId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function countContactSessions(db: Db, orgId: string, sponsorId: string, now: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('sponsor_sessions')
    .select(['sponsor_contact_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .where('sponsor_id', '=', sponsorId)
    .where('expires_at', '>', now)
    .groupBy('sponsor_contact_id')
    .execute();
  return new Map(rows.map((r) => [r.sponsor_contact_id, Number(r.n)]));
}

export async function insertBoothLead(db: Db, row: SponsorLeadsTable): Promise<{ row: SponsorLeadsTable; created: boolean }> {
  // The unique (sponsor, participant) pair settles two scans of one badge at the same moment.
  const inserted = await db.insertInto('sponsor_leads').values(row).onConflict((oc) => oc.columns(['sponsor_id', 'participant_id']).doNothing()).returning('id').executeTakeFirst();
  if (inserted) return { row, created: true };
  const existing = await db.selectFrom('sponsor_leads').selectAll().where('sponsor_id', '=', row.sponsor_id).where('participant_id', '=', row.participant_id).executeTakeFirstOrThrow();
  return { row: existing, created: false };
}

export async function findBoothLeads(db: Db, orgId: string, sponsorId: string, limit: number): Promise<SponsorLeadsTable[]> {
  return db.selectFrom('sponsor_leads').selectAll().where('org_id', '=', orgId).where('sponsor_id', '=', sponsorId).orderBy('collected_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
