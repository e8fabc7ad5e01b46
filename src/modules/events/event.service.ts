import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { slugify } from '../../lib/text.js';
import { audit } from '../audit/index.js';
import { findEvent, findEventById, findEventBySlug, insertEvent, updateEventRow } from './event.repository.js';
import { EVENT_STATUSES, type Event, type EventInput } from './event.types.js';
import { eventCreated } from './event-hooks.js';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length <= 64;
  } catch {
    return false;
  }
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path: `/${field}`, message }]);
}

/** Checks an event's fields and returns them normalised (dates as ISO-8601 UTC). */
function normalise(input: EventInput): Required<Omit<EventInput, 'slug'>> & { slug: string } {
  const name = input.name.trim();
  if (!name || name.length > 200) throw invalid('name', 'Give the event a name of at most 200 characters');
  const starts = new Date(input.startsAt);
  const ends = new Date(input.endsAt);
  if (Number.isNaN(starts.getTime())) throw invalid('startsAt', 'Start is not a valid date and time');
  if (Number.isNaN(ends.getTime())) throw invalid('endsAt', 'End is not a valid date and time');
  if (ends < starts) throw invalid('endsAt', 'The event cannot end before it starts');
  if (!isTimeZone(input.timeZone)) throw invalid('timeZone', 'Unknown time zone (use a name like Europe/Paris)');
  const slug = (input.slug?.trim() || slugify(name)).toLowerCase();
  if (!SLUG.test(slug)) throw invalid('slug', 'The slug may use a-z, 0-9 and dashes (at most 60)');
  const status = input.status ?? 'draft';
  if (!EVENT_STATUSES.includes(status)) throw invalid('status', 'Unknown status');
  const venue = input.venue?.trim() || null;
  if (venue && venue.length > 300) throw invalid('venue', 'Venue is at most 300 characters');
  return { name, slug, startsAt: starts.toISOString(), endsAt: ends.toISOString(), timeZone: input.timeZone, venue, status };
}

export async function createEvent(db: Db, ctx: Ctx, actor: Actor, orgId: string, input: EventInput): Promise<Event> {
  const value = normalise(input);
  if (await findEventBySlug(db, orgId, value.slug)) throw new DomainError('duplicate_slug', 'Another event already uses that slug');
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  await insertEvent(db, {
    id,
    org_id: orgId,
    slug: value.slug,
    name: value.name,
    starts_at: value.startsAt,
    ends_at: value.endsAt,
    time_zone: value.timeZone,
    venue: value.venue,
    status: value.status,
    registration_open: 1,
    tell_known_emails: 0,
    rsvp_closes_at: null,
    created_at: now,
    updated_at: now,
  });
  await audit(db, ctx, actor, { orgId, action: 'event.created', target: { type: 'event', id }, data: { name: value.name, slug: value.slug } });
  const event: Event = { id, orgId, ...value, registrationOpen: true, tellKnownEmails: false, rsvpClosesAt: null, createdAt: now, updatedAt: now };
  await eventCreated(db, ctx, event);
  return event;
}

export async function updateEvent(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: EventInput): Promise<Event> {
  const current = await getEvent(db, orgId, eventId);
  const value = normalise({ ...input, slug: input.slug ?? current.slug });
  if (value.slug !== current.slug && (await findEventBySlug(db, orgId, value.slug))) {
    throw new DomainError('duplicate_slug', 'Another event already uses that slug');
  }
  const now = ctx.clock.now().toISOString();
  await updateEventRow(db, orgId, eventId, {
    slug: value.slug,
    name: value.name,
    starts_at: value.startsAt,
    ends_at: value.endsAt,
    time_zone: value.timeZone,
    venue: value.venue,
    status: value.status,
    updated_at: now,
  });
  await audit(db, ctx, actor, { orgId, action: 'event.updated', target: { type: 'event', id: eventId }, data: value });
  return { ...current, ...value, updatedAt: now };
}

/** The event, or not_found when it does not exist in this organisation (or the id is malformed). */
export async function getEvent(db: Db, orgId: string, eventId: string): Promise<Event> {
  const event = isId(eventId) ? await findEvent(db, orgId, eventId) : null;
  if (!event) throw new DomainError('not_found', 'Event not found');
  return event;
}

/**
 * The event by id alone, for attendee pages whose URL names the event but no organisation (the
 * web app, its sign-in page). Back-office code uses getEvent, which is scoped by organisation.
 */
export async function getPublicEvent(db: Db, eventId: string): Promise<Event> {
  const event = isId(eventId) ? await findEventById(db, eventId) : null;
  if (!event) throw new DomainError('not_found', 'Event not found');
  return event;
}
