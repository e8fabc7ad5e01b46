import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../audit/index.js';
import { endParticipantSessions } from '../attendee-sessions/index.js';
import { getCredential, revokeCredentials, type CredentialPurpose } from '../credentials/index.js';
import { countLiveLinksByPurpose, findParticipantLinks, type LinkRow } from './link-admin.repository.js';

export const CREDENTIAL_PURPOSES: readonly CredentialPurpose[] = ['webapp', 'form', 'rsvp', 'meeting', 'preview', 'signin', 'email_change', 'access_code'];

/** Dead links stay on the participant page this long, so "why does my link not work" has an answer. */
export const RECENTLY_DEAD_DAYS = 30;
const MAX_LISTED = 200;

export type LinkStatus = 'active' | 'expired' | 'revoked' | 'used';

/** Where a link was sent: the message it was minted for, or the staff member who previewed. */
export interface LinkOrigin {
  outboxId: string | null;
  campaignId: string | null;
  campaignName: string | null;
  templateName: string | null;
  /** Name of the staff member who opened the app as this participant (preview links). */
  previewBy: string | null;
}

/**
 * What the back-office may know about a personal link: everything but the link itself, which
 * is stored nowhere (only its hash) and therefore can never be shown, copied or exported.
 */
export interface PersonalLinkSummary {
  id: string;
  purpose: CredentialPurpose;
  /** The form a form link opens (its slug), when it is one. */
  form: string | null;
  status: LinkStatus;
  sentTo: string;
  singleUse: boolean;
  origin: LinkOrigin;
  issuedAt: string;
  expiresAt: string;
  useCount: number;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  fetchCount: number;
  lastFetchedAt: string | null;
  lastFetchAgent: string | null;
  /** Fetched (landing page loaded) but never used: most likely a mail scanner, not the person. */
  fetchedOnly: boolean;
}

function statusOf(row: LinkRow, now: string): LinkStatus {
  if (row.revoked_at) return 'revoked';
  if (row.consumed_at) return 'used';
  return row.expires_at <= now ? 'expired' : 'active';
}

function formOf(data: string): string | null {
  try {
    const value = (JSON.parse(data) as Record<string, unknown>)['form'];
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

function summaryOf(row: LinkRow, now: string): PersonalLinkSummary {
  return {
    id: row.id,
    purpose: row.purpose,
    form: formOf(row.data),
    status: statusOf(row, now),
    sentTo: row.email,
    singleUse: row.single_use === 1,
    origin: {
      outboxId: row.outbox_id,
      campaignId: row.campaign_id,
      campaignName: row.campaign_name,
      templateName: row.template_name,
      previewBy: row.issued_by_name,
    },
    issuedAt: row.created_at,
    expiresAt: row.expires_at,
    useCount: row.use_count,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    fetchCount: row.fetch_count,
    lastFetchedAt: row.last_fetched_at,
    lastFetchAgent: row.last_fetch_agent,
    fetchedOnly: row.fetch_count > 0 && row.use_count === 0,
  };
}

/** A participant's live links and those that died in the last RECENTLY_DEAD_DAYS, newest first. */
export async function listParticipantLinks(db: Db, ctx: Ctx, orgId: string, eventId: string, participantId: string): Promise<PersonalLinkSummary[]> {
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - RECENTLY_DEAD_DAYS * 86_400_000).toISOString();
  const rows = await findParticipantLinks(db, orgId, eventId, participantId, since, MAX_LISTED);
  return rows.map((row) => summaryOf(row, now.toISOString()));
}

/** Usable personal links of an event by purpose (purposes with none are left out). */
export async function countActiveLinks(db: Db, ctx: Ctx, orgId: string, eventId: string): Promise<Map<CredentialPurpose, number>> {
  const rows = await countLiveLinksByPurpose(db, orgId, eventId, ctx.clock.now().toISOString());
  return new Map(rows.map((row) => [row.purpose, row.count]));
}

export interface ParticipantRevocation {
  revoked: number;
  sessionsEnded: number;
}

/**
 * Revokes one link of a participant, or all of them. Revoking all also signs the participant
 * out of every attendee session (including ones opened by email + code, which no link backs);
 * a single link ends only the sessions it opened, on their next request. The caller has
 * checked the participant belongs to the event; run inside a transaction.
 */
export async function revokeParticipantLinks(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  participantId: string,
  linkId: string | null,
): Promise<ParticipantRevocation> {
  const subject = { type: 'participant' as const, id: participantId };
  if (linkId) {
    // The id must name a link of this participant in this event; a guessed id of another is "not found".
    const credential = await getCredential(db, orgId, linkId).catch(() => null);
    if (!credential || credential.eventId !== eventId || credential.subjectType !== 'participant' || credential.subjectId !== participantId) {
      throw new DomainError('not_found', 'Link not found');
    }
    const revoked = await revokeCredentials(db, ctx, actor, orgId, { id: linkId, subject, eventId, purpose: credential.purpose, reason: 'revoked by staff' });
    return { revoked, sessionsEnded: 0 };
  }
  const revoked = await revokeCredentials(db, ctx, actor, orgId, { subject, eventId, reason: 'revoked by staff with all links of the participant' });
  const sessionsEnded = await endParticipantSessions(db, participantId);
  if (sessionsEnded > 0) {
    await audit(db, ctx, actor, { orgId, action: 'attendee.signed_out', target: subject, data: { sessions: sessionsEnded, eventId } });
  }
  return { revoked, sessionsEnded };
}

/**
 * Revokes every live link of one purpose in an event (a leaked mailing, RSVP closed early).
 * Sessions those links opened end on their next request: an attendee session is refused once
 * the credential behind it is revoked.
 */
export async function revokeEventLinks(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, purpose: CredentialPurpose): Promise<number> {
  if (!CREDENTIAL_PURPOSES.includes(purpose)) throw new DomainError('validation_failed', 'Unknown kind of link', [{ path: '/purpose', message: 'unknown purpose' }]);
  return revokeCredentials(db, ctx, actor, orgId, { eventId, purpose, reason: `revoked by staff with all ${purpose} links of the event` });
}
