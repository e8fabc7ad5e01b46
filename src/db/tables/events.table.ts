export type EventStatus = 'draft' | 'published' | 'closed' | 'archived';

export interface EventsTable {
  id: string;
  org_id: string;
  slug: string;
  name: string;
  starts_at: string;
  ends_at: string;
  time_zone: string;
  venue: string | null;
  status: EventStatus;
  /** 0: the public registration page is closed. */
  registration_open: number;
  /** 1: the public page tells a known email that it is registered (off by default: it leaks who is). */
  tell_known_emails: number;
  /** RSVP links stop working then; null: at the event's start. */
  rsvp_closes_at: string | null;
  created_at: string;
  updated_at: string;
}

export type CustomFieldType =
  | 'text'
  | 'long_text'
  | 'email'
  | 'phone'
  | 'country'
  | 'date'
  | 'single_choice'
  | 'multiple_choice'
  | 'checkbox';

export interface CustomFieldsTable {
  id: string;
  org_id: string;
  event_id: string;
  key: string;
  label: string;
  type: CustomFieldType;
  required: number;
  /** JSON text: string[] of allowed values for choice fields, else "[]". */
  options: string;
  position: number;
  created_at: string;
  updated_at: string;
}
