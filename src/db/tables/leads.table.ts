/**
 * What a participant's business card shares in lead exchange. No row: the defaults (name and a
 * company-like field, nothing else), decided by the leads module.
 */
export interface LeadCardsTable {
  participant_id: string;
  org_id: string;
  event_id: string;
  /** 0/1: the participant's email address is on the card. */
  share_email: number;
  /** JSON text: the custom field keys on the card (the name always is). */
  share_fields: string;
  updated_at: string;
}

/** One attendee collected another's card; at most once per pair. */
export interface LeadExchangesTable {
  id: string;
  org_id: string;
  event_id: string;
  collector_id: string;
  collected_id: string;
  collected_at: string;
  /** The collector's own note; never shown to the collected person. */
  note: string;
  note_updated_at: string | null;
}
