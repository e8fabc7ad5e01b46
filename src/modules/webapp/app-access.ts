import type { Participant, ParticipantStatus } from '../participants/index.js';

/**
 * Who the web app opens for: registered attendees only. Imported people have not been asked
 * yet (their way in is their registration link), invited people have not said yes (their RSVP
 * link is), and declined or cancelled people said no: for all of them a web app link or a
 * sign-in request opens nothing, and an open session ends at their next request.
 * A staff preview is not bound by this: support may need to look at anyone.
 */
export const APP_STATUSES: readonly ParticipantStatus[] = ['registered'];

export function appOpenTo(participant: Pick<Participant, 'status'>): boolean {
  return APP_STATUSES.includes(participant.status);
}
