export type RsvpAnswer = 'accepted' | 'declined';

/** The last answer a participant gave through their RSVP link. */
export interface RsvpAnswersTable {
  participant_id: string;
  org_id: string;
  event_id: string;
  answer: RsvpAnswer;
  answered_at: string;
}
