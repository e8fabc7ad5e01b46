import type { Db } from '../../db/database.js';
import { canonicalEmail } from '../../lib/email.js';
import { participantFromRow } from './participant.repository.js';
import type { Participant } from './participant.types.js';

/**
 * The participant of an event with this address (matched as the contact's email key, so
 * Alice@X and alice@x are one person), or null. One indexed lookup whether or not there is one,
 * for pages that must answer the same for known and unknown addresses.
 */
export async function findParticipantByEmail(db: Db, orgId: string, eventId: string, email: string): Promise<Participant | null> {
  const key = canonicalEmail(email)?.key;
  if (!key) return null;
  const row = await db
    .selectFrom('participants')
    .innerJoin('contacts', 'contacts.id', 'participants.contact_id')
    .selectAll('participants')
    .where('contacts.org_id', '=', orgId)
    .where('contacts.email_key', '=', key)
    .where('participants.event_id', '=', eventId)
    .executeTakeFirst();
  return row ? participantFromRow(row) : null;
}
