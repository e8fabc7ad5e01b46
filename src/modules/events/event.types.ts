import type { EventStatus } from '../../db/database.js';

export type { EventStatus };
export const EVENT_STATUSES: readonly EventStatus[] = ['draft', 'published', 'closed', 'archived'];

export interface Event {
  id: string;
  orgId: string;
  slug: string;
  name: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  venue: string | null;
  status: EventStatus;
  /** The generic public registration page accepts sign-ups. */
  registrationOpen: boolean;
  /** The public page tells a known email it is already registered (off: it answers as for anyone). */
  tellKnownEmails: boolean;
  /** RSVP links stop working then; null: at the event's start. */
  rsvpClosesAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EventInput {
  name: string;
  slug?: string | undefined;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  venue?: string | null | undefined;
  status?: EventStatus | undefined;
}
