import type { ParticipantStatus } from '../../db/database.js';
import type { CanonicalEmail } from '../../lib/email.js';
import type { FieldValues } from '../custom-fields/index.js';

export type { ParticipantStatus };
export const PARTICIPANT_STATUSES: readonly ParticipantStatus[] = ['imported', 'invited', 'registered', 'declined', 'cancelled'];

export interface Participant {
  id: string;
  eventId: string;
  contactId: string;
  email: string;
  firstName: string;
  lastName: string;
  status: ParticipantStatus;
  fields: FieldValues;
  statusChangedAt: string;
  registeredAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Raw input from a form, the API or a CSV row, before validation. */
export interface ParticipantInput {
  email?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  status?: unknown;
  fields?: Record<string, unknown> | undefined;
}

/** Input after validation: what the services store. */
export interface ValidParticipant {
  email: CanonicalEmail;
  firstName: string;
  lastName: string;
  status: ParticipantStatus | null;
  fields: FieldValues;
}

export const MAX_NAME_LENGTH = 100;

export type ParticipantSort = 'name' | 'email' | 'created' | 'status';
export const PARTICIPANT_SORTS: readonly ParticipantSort[] = ['name', 'email', 'created', 'status'];

export interface ParticipantQuery {
  q?: string | undefined;
  statuses?: ParticipantStatus[] | undefined;
  /** Custom field equality filters: key -> value (for multiple choice: contains the value). */
  fields?: Record<string, string> | undefined;
  sort?: ParticipantSort | undefined;
  dir?: 'asc' | 'desc' | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
  /** False skips counting the matches (the page's total is then -1). */
  withTotal?: boolean | undefined;
}

export interface ParticipantPage {
  items: Participant[];
  /** Participants matching the filters, or -1 when the query asked not to count them. */
  total: number;
  nextCursor: string | null;
}
