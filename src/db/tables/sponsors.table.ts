/** A sponsor of one event: its public profile, edited by the organiser and by its own contacts. */
export interface SponsorsTable {
  id: string;
  org_id: string;
  event_id: string;
  name: string;
  description: string;
  /** JSON text: Array<{ label: string; url: string }>, http(s) only. */
  links: string;
  /** Set by the organiser only: the sponsor sees it, cannot change it. */
  booth: string;
  /** The uploaded logo, base64 (PNG, JPEG or WebP, checked by its magic bytes), or null. */
  logo_data: string | null;
  logo_type: string | null;
  /** SHA-256 of the logo bytes: its URL version and ETag. */
  logo_sha: string | null;
  created_at: string;
  updated_at: string;
}

/** A person of the sponsor who may receive its permalink: the organisation's contact record. */
export interface SponsorContactsTable {
  id: string;
  org_id: string;
  event_id: string;
  sponsor_id: string;
  contact_id: string;
  role: SponsorContactRole;
  created_at: string;
}

/** An editor keeps the profile and scans at the booth; a scanner (booth staff) only scans. */
export type SponsorContactRole = 'editor' | 'scanner';

/** An attendee's card collected at the sponsor's booth: the attendee's own card settings apply. */
export interface SponsorLeadsTable {
  id: string;
  org_id: string;
  event_id: string;
  sponsor_id: string;
  participant_id: string;
  /** The sponsor contact whose session scanned it. */
  collected_by: string;
  collected_at: string;
}

/**
 * A session opened by a sponsor permalink: reaches one sponsor's profile and nothing else.
 * Kept apart from staff and attendee sessions (own table, own cookie) so no guard written for
 * those can ever accept it.
 */
export interface SponsorSessionsTable {
  /** SHA-256 of the cookie value. */
  id_hash: string;
  org_id: string;
  event_id: string;
  sponsor_id: string;
  sponsor_contact_id: string;
  credential_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}
