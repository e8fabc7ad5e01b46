import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { listCustomFields } from '../custom-fields/index.js';
import { cardOf, getCardSettings } from '../leads/index.js';
import { getParticipant, getParticipantsByIds } from '../participants/index.js';
import { findParticipantByLeadId, normaliseLeadId } from '../qr-codes/index.js';
import { findBoothLeads, insertBoothLead } from './sponsor.repository.js';
import type { BoothLead, SponsorSession } from './sponsor.types.js';

/** Far above the badges one booth scans in an event. */
export const MAX_BOOTH_LEADS = 5000;

/**
 * Booth scanning: a sponsor session takes the card behind an attendee's lead id (typed, or read
 * from the badge's QR code by the page, which sends the lead id only). Lead ids only: a QR
 * credential or anything else is refused before any lookup, so booth scanning can never be used
 * to try check-in credentials. Only registered attendees hand out cards; anyone else answers as
 * unknown. Collecting twice returns the first collection.
 */
export async function collectBoothLead(db: Db, ctx: Ctx, actor: Actor, session: SponsorSession, input: string): Promise<{ lead: BoothLead; created: boolean }> {
  const leadId = normaliseLeadId(input);
  if (!leadId) throw new DomainError('validation_failed', 'This is not a lead id. A lead id has 8 letters and digits, like ABCD-2345.', [{ path: '/leadId', message: 'Not a lead id' }]);
  const participantId = await findParticipantByLeadId(db, session.orgId, session.eventId, leadId);
  const participant = participantId ? await getParticipant(db, session.orgId, session.eventId, participantId).catch(() => null) : null;
  if (!participant || participant.status !== 'registered') throw new DomainError('not_found', 'No attendee of this event has this lead id.');
  const { row, created } = await insertBoothLead(db, {
    id: newId(ctx.clock, ctx.random),
    org_id: session.orgId,
    event_id: session.eventId,
    sponsor_id: session.sponsorId,
    participant_id: participant.id,
    collected_by: session.sponsorContactId,
    collected_at: ctx.clock.now().toISOString(),
  });
  if (created) {
    await audit(db, ctx, actor, { orgId: session.orgId, action: 'sponsor.lead_collected', target: { type: 'participant', id: participant.id }, data: { eventId: session.eventId, sponsorId: session.sponsorId, leadRowId: row.id } });
  }
  const [settings, fields] = await Promise.all([getCardSettings(db, session.orgId, session.eventId, participant.id), listCustomFields(db, session.orgId, session.eventId)]);
  return { lead: { id: row.id, participantId: participant.id, collectedAt: row.collected_at, card: cardOf(participant, settings, fields) }, created };
}

/**
 * The cards collected at the booth, newest first, each cut by its owner's CURRENT settings (as
 * attendees' collected cards are); attendees no longer registered drop out.
 */
export async function listBoothLeads(db: Db, session: Pick<SponsorSession, 'orgId' | 'eventId' | 'sponsorId'>): Promise<BoothLead[]> {
  const rows = await findBoothLeads(db, session.orgId, session.sponsorId, MAX_BOOTH_LEADS);
  if (rows.length === 0) return [];
  const [participants, fields] = await Promise.all([getParticipantsByIds(db, session.orgId, rows.map((r) => r.participant_id)), listCustomFields(db, session.orgId, session.eventId)]);
  const byId = new Map(participants.map((p) => [p.id, p]));
  const leads: BoothLead[] = [];
  for (const row of rows) {
    const participant = byId.get(row.participant_id);
    if (!participant || participant.status !== 'registered') continue;
    const settings = await getCardSettings(db, session.orgId, session.eventId, participant.id);
    leads.push({ id: row.id, participantId: participant.id, collectedAt: row.collected_at, card: cardOf(participant, settings, fields) });
  }
  return leads;
}
