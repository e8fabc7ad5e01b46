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
