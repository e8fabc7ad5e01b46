import type { Event } from '../events/index.js';
import type { CredentialPurpose } from './credential.types.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The web app stays open this long after the event, for slides, contacts and surveys. */
export const WEBAPP_GRACE_DAYS = 14;
/** Short-lived credentials, fixed by purpose (DESIGN.md section 2). */
export const PREVIEW_MINUTES = 15;
export const SIGNIN_MINUTES = 10;
export const EMAIL_CHANGE_HOURS = 24;
/** Shop account verification links (DESIGN.md: at most 24 hours) and password resets. */
export const EMAIL_VERIFY_HOURS = 24;
export const PASSWORD_RESET_MINUTES = 60;
/** "Set a new access code" links, sent when the attendee's own code cannot be sent again. */
export const SET_CODE_HOURS = 24;
/**
 * Sponsor permalinks work until revoked (DESIGN.md section 2): a fixed far-future expiry keeps
 * the column's every-credential-expires rule and still compares as text.
 */
export const UNTIL_REVOKED = '9999-12-31T23:59:59.999Z';
/** A send test's links only show a page saying they are a test; a day is plenty to look. */
export const TEST_LINK_HOURS = 24;

export interface LifetimeInput {
  purpose: CredentialPurpose;
  now: Date;
  event: Pick<Event, 'startsAt' | 'endsAt' | 'rsvpClosesAt'> | null;
  /** A form's own closing time, when it has one. */
  closesAt?: string | null | undefined;
}

/**
 * When a credential stops working, derived from its purpose and the event's dates: a personal
 * link lives as long as what it opens, never longer, so old emails stop being keys.
 */
export function expiryFor(input: LifetimeInput): string {
  const { purpose, now, event } = input;
  const at = (ms: number) => new Date(ms).toISOString();
  const eventEnd = event ? new Date(event.endsAt).getTime() : now.getTime() + 365 * DAY;
  switch (purpose) {
    case 'preview':
      return at(now.getTime() + PREVIEW_MINUTES * MINUTE);
    case 'signin':
      return at(now.getTime() + SIGNIN_MINUTES * MINUTE);
    case 'email_change':
      return at(now.getTime() + EMAIL_CHANGE_HOURS * 60 * MINUTE);
    case 'access_code':
      return at(Math.min(now.getTime() + SET_CODE_HOURS * 60 * MINUTE, eventEnd + WEBAPP_GRACE_DAYS * DAY));
    case 'webapp':
      return at(eventEnd + WEBAPP_GRACE_DAYS * DAY);
    case 'rsvp':
      return event?.rsvpClosesAt ?? event?.startsAt ?? at(eventEnd);
    case 'form':
      return input.closesAt ?? at(eventEnd);
    case 'meeting':
      return at(eventEnd);
    case 'sponsor':
      return UNTIL_REVOKED;
    case 'email_verify':
      return at(now.getTime() + EMAIL_VERIFY_HOURS * 60 * MINUTE);
    case 'password_reset':
      return at(now.getTime() + PASSWORD_RESET_MINUTES * MINUTE);
  }
}
