import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { attendeeOf } from '../../http/attendee-session.js';
import type { Actor } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import type { AttendeeSession } from '../../modules/attendee-sessions/index.js';
import { getPublicEvent, type Event } from '../../modules/events/index.js';
import { formatEventDates, formatInZone } from '../backoffice/event-time.js';
import { renderAttendeePage } from './attendee-page.js';

export function eventIdParam(request: FastifyRequest): string {
  const { eventId } = request.params as { eventId?: string };
  return typeof eventId === 'string' ? eventId : '';
}

/** The event named in the URL, or null (the page then says so in the attendee layout). */
export async function publicEvent(app: FastifyInstance, request: FastifyRequest): Promise<Event | null> {
  try {
    return await getPublicEvent(app.deps.db, eventIdParam(request));
  } catch (err) {
    if (err instanceof DomainError && err.code === 'not_found') return null;
    throw err;
  }
}

/** A page that only says something: closed forms, thank-you pages, missing events. */
export function notice(request: FastifyRequest, reply: FastifyReply, options: { title: string; event: Event | null; status?: number; session?: AttendeeSession | null }, body: ComponentChildren): FastifyReply {
  return renderAttendeePage(request, reply, { title: options.title, status: options.status ?? 200, eventName: options.event?.name ?? null, session: options.session ?? null }, () => (
    <section class="narrow">
      <h1>{options.title}</h1>
      {body}
    </section>
  ));
}

export function eventMissing(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return notice(request, reply, { title: 'Event not found', event: null, status: 404 }, <p>Check the address: this page does not exist, or no longer does.</p>);
}

/** When something on the event site closes, in the event's own time zone (named). */
export function closingTime(iso: string, event: Event): string {
  return `${formatInZone(iso, event.timeZone)} (${event.timeZone})`;
}

export function EventSummary({ event }: { event: Event }) {
  return (
    <p class="muted">
      {formatEventDates(event)} ({event.timeZone}){event.venue ? ` · ${event.venue}` : ''}
    </p>
  );
}

/** Actions on the event site are the person's own, audited as such with their IP. */
export function attendeeActor(request: FastifyRequest, participantId: string | null): Actor {
  return participantId ? { type: 'attendee', id: participantId, label: null, ip: request.ip } : { type: 'anonymous', id: null, label: null, ip: request.ip };
}

/** How the person reached a form: through its secure link, signed in to the app, or as a staff preview. */
export type Access = { session: AttendeeSession; mode: 'link' | 'app' | 'preview' };

/**
 * What the attendee session allows on this event's page: the app (or a staff preview of it)
 * opens every form; a session opened by a secure link opens only what its link named.
 */
export async function accessFor(app: FastifyInstance, request: FastifyRequest, event: Event, scope: { form?: string; rsvp?: true }): Promise<Access | null> {
  const session = await attendeeOf(app, request);
  if (!session || session.eventId !== event.id) return null;
  if (session.kind === 'app') return { session, mode: 'app' };
  if (session.kind === 'preview') return { session, mode: 'preview' };
  if (scope.form !== undefined && session.scope['form'] === scope.form) return { session, mode: 'link' };
  if (scope.rsvp && session.scope['rsvp'] === '1') return { session, mode: 'link' };
  return null;
}
