export type ContactKind = 'individual' | 'structure' | 'relay';
export type EmailStatus = 'unverified' | 'verified';

export interface ContactsTable {
  id: string;
  org_id: string;
  email: string;
  email_key: string;
  first_name: string;
  last_name: string;
  kind: ContactKind;
  email_status: EmailStatus;
  email_verified_at: string | null;
  /** How the address was validated: by the emailed link, by an SSO provider, by a merge, by an operator. */
  email_verified_via: 'link' | 'sso' | 'merge' | 'operator' | null;
  /** scrypt hash (lib/password.ts) of a shop account's password; null for contacts without one. */
  password_hash: string | null;
  /** The structure a relay or B2B individual contact belongs to. */
  structure_id: string | null;
  /** Set when this contact was merged into another (the parent); it is kept for the audit trail. */
  merged_into: string | null;
  created_at: string;
  updated_at: string;
}

export type ParticipantStatus = 'imported' | 'invited' | 'registered' | 'declined' | 'cancelled';

export interface ParticipantsTable {
  id: string;
  org_id: string;
  event_id: string;
  contact_id: string;
  status: ParticipantStatus;
  /** JSON text: Record<fieldKey, string | string[] | boolean>. */
  field_values: string;
  /** Denormalised for the list page: contact name/email, so search and sort are one table. */
  email: string;
  first_name: string;
  last_name: string;
  /** Lower-cased, accent-free name + email + text field values for substring search. */
  search_text: string;
  status_changed_at: string;
  registered_at: string | null;
  created_at: string;
  updated_at: string;
}
