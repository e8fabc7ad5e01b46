import type { Db, Dialect } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import type { Event } from '../events/index.js';
import { findParticipantByEmail, type Participant } from '../participants/index.js';
import { appOpenTo } from '../webapp/index.js';
import { checkCode } from './access-code.service.js';

/**
 * Email + access code sign-in to an event's web app: the participant, or null for every kind of
 * failure (unknown address, wrong code, locked, not registered) with no hint which. The address
 * is matched by its canonical key, so Alice@Example.COM and alice@example.com are one person
 * with one failure counter.
 */
export async function signInWithCode(db: Db, dialect: Dialect, ctx: Ctx, event: Pick<Event, 'id' | 'orgId'>, email: string, code: string): Promise<Participant | null> {
  const found = await findParticipantByEmail(db, event.orgId, event.id, email);
  const ok = await checkCode(db, dialect, ctx, event.id, found?.id ?? null, code);
  return ok && found && appOpenTo(found) ? found : null;
}

/**
 * Whether the attendee typed their current code (to change it from the app). Counted like a
 * sign-in attempt: the change page is no side door for guessing.
 */
export async function confirmCurrentCode(db: Db, dialect: Dialect, ctx: Ctx, eventId: string, participantId: string, code: string): Promise<boolean> {
  return checkCode(db, dialect, ctx, eventId, participantId, code);
}
