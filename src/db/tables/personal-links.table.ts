/** What a personal credential lets its holder do. One credential, one purpose. */
export type CredentialPurpose = 'webapp' | 'form' | 'rsvp' | 'meeting' | 'preview' | 'signin' | 'email_change' | 'access_code' | 'sponsor' | 'email_verify' | 'password_reset';
export type CredentialSubject = 'participant' | 'contact' | 'staff' | 'sponsor_contact';

export interface CredentialsTable {
  id: string;
  /** SHA-256 of the raw token; the raw value exists only in the email and the browser. */
  token_hash: string;
  purpose: CredentialPurpose;
  org_id: string;
  event_id: string | null;
  subject_type: CredentialSubject;
  subject_id: string;
  /** The address the credential was sent to. */
  email: string;
  /** The message the credential was minted for, so a leaked link is traced to one email. */
  outbox_id: string | null;
  /** The staff member who issued it (staff preview). */
  issued_by: string | null;
  /** JSON text: non-secret purpose details (form slug, new email address). */
  data: string;
  single_use: number;
  /** Minted for a "send test": opens a page saying so, never acts. */
  test: number;
  created_at: string;
  expires_at: string;
  use_count: number;
  last_used_at: string | null;
  consumed_at: string | null;
  revoked_at: string | null;
  revoked_reason: string | null;
  /** GET/HEAD of the landing page: scanners and people who never clicked. */
  fetch_count: number;
  last_fetched_at: string | null;
  last_fetch_agent: string | null;
}

export type AttendeeSessionKind = 'app' | 'form' | 'preview';

export interface AttendeeSessionsTable {
  /** SHA-256 of the cookie value. */
  id_hash: string;
  kind: AttendeeSessionKind;
  org_id: string;
  event_id: string;
  participant_id: string;
  credential_id: string | null;
  /** The staff member behind a preview session. */
  staff_id: string | null;
  /** JSON text: what a form session may reach (form slug). */
  scope: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export type EventFormKind = 'registration' | 'update';

export interface EventFormsTable {
  id: string;
  org_id: string;
  event_id: string;
  kind: EventFormKind;
  slug: string;
  title: string;
  intro: string;
  /** JSON text: string[] of custom field keys shown, in order. */
  field_keys: string;
  allow_email_change: number;
  closes_at: string | null;
  created_at: string;
  updated_at: string;
}
