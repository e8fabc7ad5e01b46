/** An availability campaign: slots follow from its days and daily hours, in the event's time zone. */
export interface MeetingCampaignsTable {
  id: string;
  org_id: string;
  event_id: string;
  name: string;
  /** YYYY-MM-DD, in the event's time zone. */
  first_day: string;
  last_day: string;
  /** HH:MM wall-clock times: the first slot starts at day_starts, the last ends by day_ends. */
  day_starts: string;
  day_ends: string;
  slot_minutes: number;
  /** UTC; answers (and the links sent for it) stop then. */
  closes_at: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** Someone an email carrying the campaign's availability link was sent to. */
export interface MeetingRecipientsTable {
  campaign_id: string;
  participant_id: string;
  org_id: string;
  first_sent_at: string;
}

/** One person's answer for one slot (named by its local start, e.g. 2026-09-14T09:30). */
export interface MeetingAnswersTable {
  campaign_id: string;
  participant_id: string;
  org_id: string;
  slot: string;
  /** 1 available, 0 not. */
  available: number;
  answered_at: string;
}
