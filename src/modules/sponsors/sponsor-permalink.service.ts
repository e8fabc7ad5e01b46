import type { Db } from '../../db/database.js';
import { systemActor, type Actor, type Ctx } from '../../lib/context.js';
import { audit } from '../audit/index.js';
import { listSubjectCredentials, revokeCredentials } from '../credentials/index.js';
import { enqueueEmail, templateForAction, type Enqueued } from '../emailing/index.js';
import { countContactSessions, deleteContactSessions, deleteSponsorContactRow, deleteSponsorRow } from './sponsor.repository.js';
import { getSponsorContact, listSponsorContacts } from './sponsor.service.js';
import { SPONSOR_PERMALINK_ACTION } from './sponsor-tags.js';
import type { PermalinkStatus, Sponsor, SponsorContact } from './sponsor.types.js';

/**
 * Emails a sponsor contact their permalink. The link itself is minted by the worker when the
 * message is sent (merge tag sponsor_link), one per message, so a leaked link names its email.
 */
export async function sendSponsorPermalink(db: Db, ctx: Ctx, actor: Actor, sponsor: Sponsor, contactId: string): Promise<Enqueued> {
  const contact = await getSponsorContact(db, sponsor, contactId);
  const template = await templateForAction(db, ctx, sponsor.orgId, sponsor.eventId, SPONSOR_PERMALINK_ACTION);
  const queued = await enqueueEmail(db, ctx, {
    orgId: sponsor.orgId,
    eventId: sponsor.eventId,
    templateId: template.id,
    category: 'transactional',
    recipient: { kind: 'contact', id: contact.contactId, email: contact.email, name: `${contact.firstName} ${contact.lastName}`.trim() },
    data: { sponsor_id: sponsor.id, sponsor_contact_id: contact.id },
  });
  await audit(db, ctx, actor, {
    orgId: sponsor.orgId,
    action: 'sponsor.permalink_sent',
    target: { type: 'sponsor', id: sponsor.id },
    data: { eventId: sponsor.eventId, sponsorContactId: contact.id, email: contact.email, outboxId: queued.id, status: queued.status },
  });
  return queued;
}

/** Revokes every permalink of one contact and ends the sessions they opened, at once. */
async function revokeContact(db: Db, ctx: Ctx, actor: Actor, sponsor: Sponsor, contact: SponsorContact, reason: string): Promise<{ links: number; sessions: number }> {
  const links = await revokeCredentials(db, ctx, actor, sponsor.orgId, { subject: { type: 'sponsor_contact', id: contact.id }, purpose: 'sponsor', reason });
  const sessions = await deleteContactSessions(db, sponsor.orgId, contact.id);
  return { links, sessions };
}

export async function revokeSponsorPermalinks(db: Db, ctx: Ctx, actor: Actor, sponsor: Sponsor, contactId: string): Promise<{ links: number; sessions: number }> {
  const contact = await getSponsorContact(db, sponsor, contactId);
  const result = await revokeContact(db, ctx, actor, sponsor, contact, 'revoked by organiser');
  await audit(db, ctx, actor, { orgId: sponsor.orgId, action: 'sponsor.permalink_revoked', target: { type: 'sponsor', id: sponsor.id }, data: { eventId: sponsor.eventId, sponsorContactId: contact.id, ...result } });
  return result;
}

/** A contact who leaves the sponsor loses their links and sessions with their place. */
export async function removeSponsorContact(db: Db, ctx: Ctx, actor: Actor, sponsor: Sponsor, contactId: string): Promise<void> {
  const contact = await getSponsorContact(db, sponsor, contactId);
  await revokeContact(db, ctx, systemActor, sponsor, contact, 'contact removed');
  await deleteSponsorContactRow(db, sponsor.orgId, contact.id);
  await audit(db, ctx, actor, { orgId: sponsor.orgId, action: 'sponsor.contact_removed', target: { type: 'sponsor', id: sponsor.id }, data: { eventId: sponsor.eventId, sponsorContactId: contact.id, email: contact.email } });
}

export async function deleteSponsor(db: Db, ctx: Ctx, actor: Actor, sponsor: Sponsor): Promise<void> {
  for (const contact of await listSponsorContacts(db, sponsor)) await revokeContact(db, ctx, systemActor, sponsor, contact, 'sponsor deleted');
  await deleteSponsorRow(db, sponsor.orgId, sponsor.id);
  await audit(db, ctx, actor, { orgId: sponsor.orgId, action: 'sponsor.deleted', target: { type: 'sponsor', id: sponsor.id }, data: { eventId: sponsor.eventId, name: sponsor.name } });
}

/** Per contact: live permalinks, when one was last sent and used, and open sessions. */
export async function permalinkStatuses(db: Db, ctx: Ctx, sponsor: Sponsor, contacts: SponsorContact[]): Promise<Map<string, PermalinkStatus>> {
  const now = ctx.clock.now().toISOString();
  const sessions = await countContactSessions(db, sponsor.orgId, sponsor.id, now);
  const statuses = new Map<string, PermalinkStatus>();
  for (const contact of contacts) {
    const links = (await listSubjectCredentials(db, sponsor.orgId, { type: 'sponsor_contact', id: contact.id })).filter((c) => c.purpose === 'sponsor' && !c.test);
    const used = links.map((c) => c.lastUsedAt).filter((at): at is string => at !== null).sort();
    statuses.set(contact.id, {
      active: links.filter((c) => !c.revokedAt && c.expiresAt > now).length,
      lastSentAt: links[0]?.createdAt ?? null,
      lastUsedAt: used[used.length - 1] ?? null,
      openSessions: sessions.get(contact.id) ?? 0,
    });
  }
  return statuses;
}
