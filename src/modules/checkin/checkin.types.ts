import type { CheckInConflictKind, CheckInResult } from '../../db/database.js';

export type { CheckInConflictKind, CheckInResult };

export const CHECKIN_RESULTS: readonly CheckInResult[] = ['admitted', 'already_checked_in', 'cancelled', 'wrong_event', 'revoked', 'forged', 'unknown'];

/** The check-in point every event has: its entrance, as opposed to a session door. */
export const ENTRANCE = 'entrance';

export interface EventSession {
  id: string;
  eventId: string;
  title: string;
  room: string | null;
  startsAt: string;
  endsAt: string;
}

export interface EventSessionInput {
  title: string;
  room?: string | null | undefined;
  startsAt: string;
  endsAt: string;
}

/**
 * What a door needs to know about a person, and nothing more: no email, no custom fields. The
 * scanner page, the check-in API and the offline bundle all speak this shape.
 */
export interface ScanPerson {
  id: string;
  displayName: string;
  status: string;
  attentionNote: string | null;
}

export interface CheckInOutcome {
  checkinId: string;
  result: CheckInResult;
  /** Known for admitted, already_checked_in, cancelled and revoked; null otherwise. */
  person: ScanPerson | null;
  sessionId: string | null;
  /** already_checked_in: when the person was first let in at this point. */
  firstAdmittedAt: string | null;
  scannedAt: string;
  recordedAt: string;
  offline: boolean;
  /** True when the nonce had been seen: this is the first scan's result, nothing was recorded. */
  replayed: boolean;
}

/** Where a scan comes from: the device and its nonce make it idempotent. */
export interface ScanInput {
  code: string;
  sessionId: string | null;
  deviceId: string;
  nonce: string;
  /** The device's clock; the server's when absent. */
  scannedAt?: string | undefined;
}

export interface OfflineScanInput extends ScanInput {
  scannedAt: string;
  /** What the device showed at the door. */
  deviceResult: CheckInResult;
}

export interface OfflineScanOutcome extends CheckInOutcome {
  nonce: string;
  conflict: CheckInConflictKind | null;
}

export interface CheckInConflict {
  id: string;
  kind: CheckInConflictKind;
  sessionId: string | null;
  person: ScanPerson | null;
  createdAt: string;
  checkin: { id: string; deviceId: string; scannedAt: string; deviceResult: CheckInResult | null; result: CheckInResult };
  first: { id: string; deviceId: string; scannedAt: string; offline: boolean } | null;
}
