export interface EventSessionsTable {
  id: string;
  org_id: string;
  event_id: string;
  title: string;
  room: string | null;
  starts_at: string;
  ends_at: string;
  created_at: string;
  updated_at: string;
}

/** What a door steward should know about a participant (wheelchair, VIP, press...). */
export interface AttentionNotesTable {
  participant_id: string;
  org_id: string;
  event_id: string;
  note: string;
  updated_at: string;
}

export type CheckInResult = 'admitted' | 'already_checked_in' | 'cancelled' | 'wrong_event' | 'revoked' | 'forged' | 'unknown';

export interface CheckinsTable {
  id: string;
  org_id: string;
  event_id: string;
  /** null: the event's entrance. */
  session_id: string | null;
  /** null when the code named nobody we can trust (forged, unknown, other event). */
  participant_id: string | null;
  device_id: string;
  nonce: string;
  /** The server's verdict; for an offline scan, what the server made of the upload. */
  result: CheckInResult;
  /** Offline scans only: what the device showed at the door. */
  device_result: CheckInResult | null;
  /** already_checked_in: when the person was first admitted at this point. */
  first_admitted_at: string | null;
  qr_version: number | null;
  /** The device's clock for offline scans; the server's for online ones without a device time. */
  scanned_at: string;
  recorded_at: string;
  offline: number;
  actor_type: string;
  actor_id: string | null;
}

export interface CheckinAdmissionsTable {
  event_id: string;
  /** 'entrance' or the session id. */
  point: string;
  participant_id: string;
  org_id: string;
  checkin_id: string;
  device_id: string;
  admitted_at: string;
}

export type CheckInConflictKind = 'double_admission' | 'refused_by_server';

export interface CheckinConflictsTable {
  id: string;
  org_id: string;
  event_id: string;
  point: string;
  participant_id: string | null;
  kind: CheckInConflictKind;
  checkin_id: string;
  first_checkin_id: string | null;
  created_at: string;
}
