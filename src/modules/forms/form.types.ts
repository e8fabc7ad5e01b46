import type { EventFormKind, RsvpAnswer } from '../../db/database.js';

export type { EventFormKind, RsvpAnswer };

/** The slug of every event's registration form: links and pages name it. */
export const REGISTRATION_SLUG = 'register';

/**
 * A form page of the event site. The registration form shows every custom field and exists for
 * every event (stored once the organiser first opens the forms page); update forms show a chosen
 * subset and are reached only through a secure link or from the signed-in web app.
 */
export interface EventForm {
  /** Null for an event's registration form that was never stored (defaults apply). */
  id: string | null;
  orgId: string;
  eventId: string;
  kind: EventFormKind;
  slug: string;
  title: string;
  intro: string;
  /** Custom field keys shown, in order (update forms; the registration form shows all fields). */
  fieldKeys: string[];
  /** The person may replace their address, confirmed by a link sent to the new one. */
  allowEmailChange: boolean;
  closesAt: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface UpdateFormInput {
  title: string;
  intro?: string | undefined;
  fieldKeys: string[];
  allowEmailChange: boolean;
  closesAt: string | null;
}

export interface RegistrationFormInput {
  title: string;
  intro?: string | undefined;
  allowEmailChange: boolean;
  closesAt: string | null;
}

/** What a person typed into a form, before validation. Never carries who they are. */
export interface FormSubmission {
  /** Read only on the public registration page; a form reached by link or app ignores it. */
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  /** Custom field key -> raw value (text, or a list for multiple choice). */
  fields: Record<string, string | string[]>;
  /** A replacement address, when the form allows one; confirmed before it is used. */
  newEmail?: string | undefined;
}

/** How the form was reached, which decides what an empty answer means. */
export type FormMode =
  /** Through a secure link: nothing was prefilled, so an empty answer keeps what is stored. */
  | 'link'
  /** Signed in to the web app: the form showed the stored values, so an empty answer clears one. */
  | 'app';

export interface RsvpCounts {
  accepted: number;
  declined: number;
  /** Invited participants who have not answered yet. */
  pending: number;
}
