/** Who set the current code: Tessera (sealed copy kept), the attendee or an organiser (hash only). */
export type AccessCodeOrigin = 'generated' | 'attendee' | 'organiser';

export interface AccessCodesTable {
  participant_id: string;
  org_id: string;
  event_id: string;
  /** base64url HMAC-SHA256 of the normalised code under the key `mac_key_id`. */
  code_mac: string;
  mac_key_id: string;
  /** AES-GCM copy (lib/secret-box.ts) for generated codes only; null for codes a person chose. */
  sealed: string | null;
  origin: AccessCodeOrigin;
  set_at: string;
  last_sent_at: string | null;
  last_used_at: string | null;
  /** Consecutive failed attempts; only a successful code sign-in sets it back to 0. */
  failures: number;
  locked_until: string | null;
}

export type SignInMethod = 'access_code' | 'magic_link' | 'signin_link';

export interface SignInsTable {
  id: string;
  org_id: string;
  event_id: string;
  participant_id: string;
  method: SignInMethod;
  signed_in_at: string;
}
