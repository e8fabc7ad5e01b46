import type { AttendeeSessionsTable, Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { hashToken, mintToken } from '../../lib/tokens.js';
import { deleteParticipantSessions, deleteSession, findSession, insertSession, touchSession } from './attendee-session.repository.js';
import { SESSION_LIMITS, type AttendeeSession, type AttendeeSessionKind } from './attendee-session.types.js';

/** Writing last_seen_at on every request would make every page view a write. */
const TOUCH_INTERVAL_MS = 60_000;

function fromRow(row: AttendeeSessionsTable): AttendeeSession {
  let scope: Record<string, string> = {};
  try {
    scope = JSON.parse(row.scope) as Record<string, string>;
  } catch {
    scope = {};
  }
  return {
    kind: row.kind,
    orgId: row.org_id,
    eventId: row.event_id,
    participantId: row.participant_id,
    credentialId: row.credential_id,
    staffId: row.staff_id,
    scope: Object.freeze(scope),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export interface StartSessionInput {
  kind: AttendeeSessionKind;
  orgId: string;
  eventId: string;
  participantId: string;
  credentialId?: string | null | undefined;
  staffId?: string | null | undefined;
  scope?: Record<string, string> | undefined;
  /** A session never outlives the credential that opened it. */
  notAfter?: string | undefined;
}

/**
 * Opens an attendee session and returns the cookie value (random, only its hash stored). A new
 * id every time a link is redeemed: a session id planted before the click is never adopted.
 */
export async function startAttendeeSession(db: Db, ctx: Ctx, input: StartSessionInput): Promise<{ token: string; session: AttendeeSession }> {
  const token = mintToken('ses', ctx.random);
  const now = ctx.clock.now();
  const limit = new Date(now.getTime() + SESSION_LIMITS[input.kind].absoluteMinutes * 60_000).toISOString();
  const expiresAt = input.notAfter && input.notAfter < limit ? input.notAfter : limit;
  const row: AttendeeSessionsTable = {
    id_hash: hashToken(token),
    kind: input.kind,
    org_id: input.orgId,
    event_id: input.eventId,
    participant_id: input.participantId,
    credential_id: input.credentialId ?? null,
    staff_id: input.staffId ?? null,
    scope: JSON.stringify(input.scope ?? {}),
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: expiresAt,
  };
  await insertSession(db, row);
  return { token, session: fromRow(row) };
}

/** The session behind a cookie, or null when unknown, idle too long, past its age, or revoked. */
export async function resolveAttendeeSession(db: Db, ctx: Ctx, token: string): Promise<AttendeeSession | null> {
  if (token.length > 80) return null;
  const idHash = hashToken(token);
  const row = await findSession(db, idHash);
  if (!row) return null;
  const now = ctx.clock.now();
  const idleLimit = new Date(row.last_seen_at).getTime() + SESSION_LIMITS[row.kind].idleMinutes * 60_000;
  if (now.toISOString() >= row.expires_at || now.getTime() >= idleLimit) {
    await deleteSession(db, idHash);
    return null;
  }
  // Revoking a link also ends what it opened: the next request is refused.
  if (row.credential_revoked_at) {
    await deleteSession(db, idHash);
    return null;
  }
  if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_INTERVAL_MS) await touchSession(db, idHash, now.toISOString());
  return fromRow(row);
}

export async function endAttendeeSession(db: Db, token: string): Promise<void> {
  if (token.length <= 80) await deleteSession(db, hashToken(token));
}

/** Signs a participant out everywhere (links revoked, email changed). */
export async function endParticipantSessions(db: Db, participantId: string, kinds?: readonly AttendeeSessionKind[]): Promise<number> {
  return deleteParticipantSessions(db, participantId, kinds);
}
