import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { ensureContacts } from '../contacts/index.js';
import { getEvent } from '../events/index.js';
import { checkLogo } from './sponsor-logo.js';
import { boothInput, parseLinks, profileInput } from './sponsor-input.js';
import {
  findLogo,
  findSponsor,
  findSponsorContact,
  findSponsorContacts,
  findSponsors,
  insertSponsor,
  insertSponsorContact,
  updateSponsorRow,
  type SponsorContactRow,
  type SponsorRow,
} from './sponsor.repository.js';
import { SPONSOR_LIMITS, type LogoType, type Sponsor, type SponsorContact, type SponsorContactRole, type SponsorLogo } from './sponsor.types.js';

export function sponsorFromRow(row: SponsorRow): Sponsor {
  return {
    id: row.id,
    orgId: row.org_id,
    eventId: row.event_id,
    name: row.name,
    description: row.description,
    links: parseLinks(row.links),
    booth: row.booth,
    logo: row.logo_type && row.logo_sha ? { type: row.logo_type as LogoType, version: row.logo_sha.slice(0, 16) } : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function contactFromRow(row: SponsorContactRow): SponsorContact {
  return { id: row.id, sponsorId: row.sponsor_id, contactId: row.contact_id, role: row.role, email: row.email, firstName: row.first_name, lastName: row.last_name, createdAt: row.created_at };
}

/** Another event's or organisation's sponsor is indistinguishable from a missing one. */
export async function getSponsor(db: Db, orgId: string, eventId: string, id: string): Promise<Sponsor> {
  const row = isId(id) ? await findSponsor(db, orgId, eventId, id) : null;
  if (!row) throw new DomainError('not_found', 'Sponsor not found');
  return sponsorFromRow(row);
}

export async function listSponsors(db: Db, orgId: string, eventId: string): Promise<Sponsor[]> {
  return (await findSponsors(db, orgId, eventId)).map(sponsorFromRow);
}

export async function createSponsor(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: { name?: unknown; booth?: unknown; description?: unknown; links?: unknown }): Promise<Sponsor> {
  await getEvent(db, orgId, eventId);
  const profile = profileInput(input);
  const booth = boothInput(input.booth);
  const now = ctx.clock.now().toISOString();
  const row = { id: newId(ctx.clock, ctx.random), org_id: orgId, event_id: eventId, ...profile, links: JSON.stringify(profile.links), booth, logo_data: null, logo_type: null, logo_sha: null, created_at: now, updated_at: now };
  await insertSponsor(db, row);
  await audit(db, ctx, actor, { orgId, action: 'sponsor.created', target: { type: 'sponsor', id: row.id }, data: { eventId, name: profile.name, booth } });
  return sponsorFromRow(row);
}

/**
 * Changes a sponsor's profile. The same function serves the organiser (who may also set the
 * booth) and the sponsor's own contacts (who may not: `booth` undefined), so both are audited
 * alike, each under its own actor, with the names of the fields that changed.
 */
export async function updateSponsor(db: Db, ctx: Ctx, actor: Actor, sponsor: Sponsor, input: { name?: unknown; description?: unknown; links?: unknown }, booth?: unknown): Promise<Sponsor> {
  const profile = profileInput(input);
  const next = { ...profile, booth: booth === undefined ? sponsor.booth : boothInput(booth) };
  const changed: string[] = (['name', 'description', 'booth'] as const).filter((key) => next[key] !== sponsor[key]);
  if (JSON.stringify(next.links) !== JSON.stringify(sponsor.links)) changed.push('links');
  if (changed.length === 0) return sponsor;
  const now = ctx.clock.now().toISOString();
  await updateSponsorRow(db, sponsor.orgId, sponsor.id, { name: next.name, description: next.description, links: JSON.stringify(next.links), booth: next.booth, updated_at: now });
  await audit(db, ctx, actor, {
    orgId: sponsor.orgId,
    action: 'sponsor.updated',
    target: { type: 'sponsor', id: sponsor.id },
    data: { eventId: sponsor.eventId, changed, name: next.name },
  });
  return { ...sponsor, ...next, updatedAt: now };
}

export async function setSponsorLogo(db: Db, ctx: Ctx, actor: Actor, sponsor: Sponsor, bytes: Buffer): Promise<void> {
  const logo = checkLogo(bytes);
  await updateSponsorRow(db, sponsor.orgId, sponsor.id, { logo_data: logo.base64, logo_type: logo.type, logo_sha: logo.sha, updated_at: ctx.clock.now().toISOString() });
  await audit(db, ctx, actor, { orgId: sponsor.orgId, action: 'sponsor.logo_changed', target: { type: 'sponsor', id: sponsor.id }, data: { eventId: sponsor.eventId, type: logo.type, bytes: bytes.length } });
}

export async function removeSponsorLogo(db: Db, ctx: Ctx, actor: Actor, sponsor: Sponsor): Promise<void> {
  if (!sponsor.logo) return;
  await updateSponsorRow(db, sponsor.orgId, sponsor.id, { logo_data: null, logo_type: null, logo_sha: null, updated_at: ctx.clock.now().toISOString() });
  await audit(db, ctx, actor, { orgId: sponsor.orgId, action: 'sponsor.logo_removed', target: { type: 'sponsor', id: sponsor.id }, data: { eventId: sponsor.eventId } });
}

export async function getSponsorLogo(db: Db, sponsor: Sponsor): Promise<SponsorLogo | null> {
  const row = await findLogo(db, sponsor.orgId, sponsor.eventId, sponsor.id);
  if (!row?.logo_data || !row.logo_type || !row.logo_sha) return null;
  return { type: row.logo_type as LogoType, bytes: Buffer.from(row.logo_data, 'base64'), version: row.logo_sha.slice(0, 16) };
}

export async function listSponsorContacts(db: Db, sponsor: Sponsor): Promise<SponsorContact[]> {
  return (await findSponsorContacts(db, sponsor.orgId, sponsor.id)).map(contactFromRow);
}

export async function getSponsorContact(db: Db, sponsor: Sponsor, id: string): Promise<SponsorContact> {
  const row = isId(id) ? await findSponsorContact(db, sponsor.orgId, sponsor.id, id) : null;
  if (!row) throw new DomainError('not_found', 'Contact not found');
  return contactFromRow(row);
}

function splitName(name: string): { firstName: string; lastName: string } {
  const trimmed = name.trim();
  const space = trimmed.indexOf(' ');
  return space < 0 ? { firstName: trimmed, lastName: '' } : { firstName: trimmed.slice(0, space), lastName: trimmed.slice(space + 1).trim() };
}

/**
 * Adds a person who may receive the sponsor's permalink. They are the organisation's contact for
 * that address (found or created), so mail to them goes through the usual outbox and suppressions.
 */
export async function addSponsorContact(db: Db, ctx: Ctx, actor: Actor, sponsor: Sponsor, input: { name?: unknown; email?: unknown; role?: unknown }): Promise<SponsorContact> {
  const email = canonicalEmail(input.email);
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  const problems = [
    ...(email ? [] : [{ path: '/email', message: 'A valid email address' }]),
    ...(name && name.length <= SPONSOR_LIMITS.nameMax ? [] : [{ path: '/name', message: `A name of at most ${SPONSOR_LIMITS.nameMax} characters` }]),
  ];
  if (!email || problems.length) throw new DomainError('validation_failed', problems[0]!.message, problems);
  const contact = (await ensureContacts(db, ctx, sponsor.orgId, [{ email, ...splitName(name) }])).get(email.key)!;
  const existing = (await findSponsorContacts(db, sponsor.orgId, sponsor.id)).find((c) => c.contact_id === contact.id);
  if (existing) throw new DomainError('duplicate_email', 'This person is already a contact of this sponsor');
  const role: SponsorContactRole = input.role === 'scanner' ? 'scanner' : 'editor';
  const row = { id: newId(ctx.clock, ctx.random), org_id: sponsor.orgId, event_id: sponsor.eventId, sponsor_id: sponsor.id, contact_id: contact.id, role, created_at: ctx.clock.now().toISOString() };
  await insertSponsorContact(db, row);
  await audit(db, ctx, actor, { orgId: sponsor.orgId, action: 'sponsor.contact_added', target: { type: 'sponsor', id: sponsor.id }, data: { eventId: sponsor.eventId, sponsorContactId: row.id, email: contact.email, role } });
  return contactFromRow({ ...row, email: contact.email, first_name: contact.first_name, last_name: contact.last_name });
}
