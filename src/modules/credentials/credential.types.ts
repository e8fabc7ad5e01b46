import type { CredentialPurpose, CredentialSubject } from '../../db/database.js';

export type { CredentialPurpose, CredentialSubject };

/** A stored credential. Never carries the raw token: only its owner's email ever held that. */
export interface Credential {
  id: string;
  purpose: CredentialPurpose;
  orgId: string;
  eventId: string | null;
  subjectType: CredentialSubject;
  subjectId: string;
  email: string;
  outboxId: string | null;
  issuedBy: string | null;
  data: Readonly<Record<string, string>>;
  singleUse: boolean;
  test: boolean;
  createdAt: string;
  expiresAt: string;
  useCount: number;
  lastUsedAt: string | null;
  consumedAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  fetchCount: number;
  lastFetchedAt: string | null;
  lastFetchAgent: string | null;
}

export interface MintInput {
  purpose: CredentialPurpose;
  orgId: string;
  eventId: string | null;
  subject: { type: CredentialSubject; id: string; email: string };
  expiresAt: string;
  /** One use (sign-in link, preview, email change) or many (web app, forms, RSVP). */
  singleUse: boolean;
  outboxId?: string | null | undefined;
  issuedBy?: string | null | undefined;
  data?: Record<string, string> | undefined;
  /** Minted for a send test: its landing page says so and it never acts. */
  test?: boolean | undefined;
}

export interface Minted {
  /** The raw credential: put it in the email being sent, nowhere else. */
  token: string;
  credential: Credential;
}

/**
 * What a link is worth, as a landing page needs to know it. `unknown` covers every token that
 * is not one of ours for this purpose and event (forged, truncated, another purpose, another
 * event): those all get the same answer. Expired, revoked or used-up links name the link (its
 * purpose and event) but never whose it was.
 */
export type LinkState =
  | { state: 'valid'; credential: Credential }
  | { state: 'test'; credential: Credential }
  | { state: 'expired' | 'revoked' | 'used'; credential: Credential }
  | { state: 'unknown' };

/** Where a credential must be presented: its purpose, and the event in the URL when there is one. */
export interface Expected {
  purposes: readonly CredentialPurpose[];
  eventId?: string | undefined;
}
