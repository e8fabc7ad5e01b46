import type { AttendeeSessionKind } from '../../db/database.js';

export type { AttendeeSessionKind };

export interface AttendeeSession {
  kind: AttendeeSessionKind;
  orgId: string;
  eventId: string;
  participantId: string;
  credentialId: string | null;
  /** Set on a staff preview: the staff member looking, audited alongside the attendee. */
  staffId: string | null;
  /** What a form session may reach: the slug of the one form its link opened. */
  scope: Readonly<Record<string, string>>;
  createdAt: string;
  expiresAt: string;
}

export interface SessionLimits {
  idleMinutes: number;
  absoluteMinutes: number;
}

/**
 * Idle and absolute limits per kind. The web app is used on and off across an event day; a
 * secure-link form session only has to last one form; a staff preview is minutes (DESIGN.md 2).
 */
export const SESSION_LIMITS: Readonly<Record<AttendeeSessionKind, SessionLimits>> = {
  app: { idleMinutes: 12 * 60, absoluteMinutes: 14 * 24 * 60 },
  form: { idleMinutes: 60, absoluteMinutes: 4 * 60 },
  preview: { idleMinutes: 15, absoluteMinutes: 15 },
};
