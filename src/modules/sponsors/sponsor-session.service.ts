import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { hashToken, mintToken } from '../../lib/tokens.js';
import { audit } from '../audit/index.js';
import type { Credential } from '../credentials/index.js';
import { deleteSponsorSession, findSponsorContact, findSponsorSession, insertSponsorSession, touchSponsorSession } from './sponsor.repository.js';
import { SPONSOR_SESSION, type SponsorSession } from './sponsor.types.js';

/** Writing last_seen_at on every request would make every page view a write. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Opens the limited session of a redeemed sponsor permalink (inside the transaction that used
 * it). Refused as an unusable link when the contact or sponsor has gone since the link was sent.
 * Returns the cookie value: random, only its hash stored, new on every redeem.
 */
export async function startSponsorSession(db: Db, ctx: Ctx, actor: Actor, credential: Credential): Promise<{ token: string; session: SponsorSession }> {
  const sponsorId = credential.data['sponsorId'];
  const contact = credential.subjectType === 'sponsor_contact' && sponsorId && credential.eventId ? await findSponsorContact(db, credential.orgId, sponsorId, credential.subjectId) : null;
  if (!contact || contact.event_id !== credential.eventId) throw new DomainError('link_invalid', 'This link cannot be used');
  const token = mintToken('sps', ctx.random);
  const now = ctx.clock.now();
  const row = {
    id_hash: hashToken(token),
    org_id: credential.orgId,
    event_id: contact.event_id,
    sponsor_id: contact.sponsor_id,
    sponsor_contact_id: contact.id,
    credential_id: credential.id,
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SPONSOR_SESSION.absoluteMinutes * 60_000).toISOString(),
  };
  await insertSponsorSession(db, row);
  await audit(db, ctx, { ...actor, type: 'sponsor', id: contact.id, label: contact.email }, {
    orgId: credential.orgId,
    action: 'sponsor.session_opened',
    target: { type: 'sponsor', id: contact.sponsor_id },
    data: { eventId: contact.event_id, credentialId: credential.id },
  });
  const session = { orgId: row.org_id, eventId: row.event_id, sponsorId: row.sponsor_id, sponsorContactId: contact.id, credentialId: credential.id, email: contact.email, role: contact.role, expiresAt: row.expires_at };
  return { token, session };
}

/** The session behind a cookie, or null when unknown, idle too long, past its age, or revoked. */
export async function resolveSponsorSession(db: Db, ctx: Ctx, token: string): Promise<SponsorSession | null> {
  if (typeof token !== 'string' || token.length > 80) return null;
  const idHash = hashToken(token);
  const row = await findSponsorSession(db, idHash);
  if (!row) return null;
  const now = ctx.clock.now();
  const idleLimit = new Date(row.last_seen_at).getTime() + SPONSOR_SESSION.idleMinutes * 60_000;
  // Revoking the permalink ends what it opened: the next request is refused.
  if (now.toISOString() >= row.expires_at || now.getTime() >= idleLimit || row.credential_revoked_at) {
    await deleteSponsorSession(db, idHash);
    return null;
  }
  if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_INTERVAL_MS) await touchSponsorSession(db, idHash, now.toISOString());
  return { orgId: row.org_id, eventId: row.event_id, sponsorId: row.sponsor_id, sponsorContactId: row.sponsor_contact_id, credentialId: row.credential_id, email: row.email, role: row.role, expiresAt: row.expires_at };
}

export async function endSponsorSession(db: Db, token: string): Promise<void> {
  if (typeof token === 'string' && token.length <= 80) await deleteSponsorSession(db, hashToken(token));
}

/** Who acts in the audit log when a sponsor contact edits: the contact, by id and address. */
export function sponsorActor(session: SponsorSession, ip: string | null): Actor {
  return { type: 'sponsor', id: session.sponsorContactId, label: session.email, ip };
}
