import type { AccessCodeOrigin, SignInMethod } from '../../db/database.js';

export type { AccessCodeOrigin, SignInMethod };

/** What organisers and staff may know about a code: never the code. */
export interface AccessCodeStatus {
  participantId: string;
  origin: AccessCodeOrigin;
  setAt: string;
  lastSentAt: string | null;
  lastUsedAt: string | null;
  /** Until when code sign-in is refused after repeated failures (the owner's links still work). */
  lockedUntil: string | null;
  failures: number;
  /** Whether "resend credentials" can send this code again (only codes Tessera generated). */
  resendable: boolean;
}

export interface LoginMetrics {
  days: Array<{ day: string; access_code: number; magic_link: number; signin_link: number }>;
  distinctAttendees: number;
  registered: number;
}

export interface ResendResult {
  /** Credentials emails queued with the same code. */
  codes: number;
  /** Links to set a new code, for people who chose their own (it cannot be sent again). */
  setCodeLinks: number;
  /** Not registered: no credentials to send. */
  skipped: number;
}
