import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../audit/index.js';
import { updateEventRow } from './event.repository.js';
import { getEvent } from './event.service.js';
import type { Event } from './event.types.js';

/** Who may reach the event's public pages and until when. */
export interface EventAccessInput {
  registrationOpen: boolean;
  tellKnownEmails: boolean;
  /** ISO-8601 instant, or null: RSVP links then work until the event starts. */
  rsvpClosesAt: string | null;
}

/**
 * Changes the event's access settings. Kept apart from the event's own details because these
 * decide what strangers on the public site can learn and do, and deserve their own audit entry.
 */
export async function updateEventAccess(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: EventAccessInput): Promise<Event> {
  const current = await getEvent(db, orgId, eventId);
  let rsvpClosesAt: string | null = null;
  if (input.rsvpClosesAt !== null) {
    const at = new Date(input.rsvpClosesAt);
    if (Number.isNaN(at.getTime())) {
      throw new DomainError('validation_failed', 'RSVP closing time is not a valid date and time', [{ path: '/rsvpClosesAt', message: 'Not a valid date and time' }]);
    }
    rsvpClosesAt = at.toISOString();
  }
  const now = ctx.clock.now().toISOString();
  await updateEventRow(db, orgId, eventId, {
    registration_open: input.registrationOpen ? 1 : 0,
    tell_known_emails: input.tellKnownEmails ? 1 : 0,
    rsvp_closes_at: rsvpClosesAt,
    updated_at: now,
  });
  const next = { registrationOpen: input.registrationOpen, tellKnownEmails: input.tellKnownEmails, rsvpClosesAt };
  await audit(db, ctx, actor, { orgId, action: 'event.access_changed', target: { type: 'event', id: eventId }, data: next });
  return { ...current, ...next, updatedAt: now };
}
