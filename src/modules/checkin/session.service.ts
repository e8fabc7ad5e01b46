import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { getEvent } from '../events/index.js';
import type { EventSession, EventSessionInput } from './checkin.types.js';
import { deleteSessionRow, findSession, findSessions, insertSession, sessionHasCheckins, updateSessionRow } from './session.repository.js';

function invalid(field: string, message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path: `/${field}`, message }]);
}

function normalise(input: EventSessionInput): Required<EventSessionInput> {
  const title = input.title.trim();
  if (!title || title.length > 200) throw invalid('title', 'Give the session a title of at most 200 characters');
  const room = input.room?.trim() || null;
  if (room && room.length > 200) throw invalid('room', 'Room is at most 200 characters');
  const starts = new Date(input.startsAt);
  const ends = new Date(input.endsAt);
  if (Number.isNaN(starts.getTime())) throw invalid('startsAt', 'Start is not a valid date and time');
  if (Number.isNaN(ends.getTime())) throw invalid('endsAt', 'End is not a valid date and time');
  if (ends < starts) throw invalid('endsAt', 'The session cannot end before it starts');
  return { title, room, startsAt: starts.toISOString(), endsAt: ends.toISOString() };
}

export async function listSessions(db: Db, orgId: string, eventId: string): Promise<EventSession[]> {
  return findSessions(db, orgId, eventId);
}

export async function getSession(db: Db, orgId: string, eventId: string, sessionId: string): Promise<EventSession> {
  const session = isId(sessionId) ? await findSession(db, orgId, eventId, sessionId) : null;
  if (!session) throw notFound('session');
  return session;
}

export async function createSession(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: EventSessionInput): Promise<EventSession> {
  await getEvent(db, orgId, eventId);
  const value = normalise(input);
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  await insertSession(db, {
    id,
    org_id: orgId,
    event_id: eventId,
    title: value.title,
    room: value.room,
    starts_at: value.startsAt,
    ends_at: value.endsAt,
    created_at: now,
    updated_at: now,
  });
  await audit(db, ctx, actor, { orgId, action: 'session.created', target: { type: 'event_session', id }, data: { eventId, title: value.title } });
  return { id, eventId, ...value };
}

export async function updateSession(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, sessionId: string, input: EventSessionInput): Promise<EventSession> {
  await getSession(db, orgId, eventId, sessionId);
  const value = normalise(input);
  await updateSessionRow(db, orgId, eventId, sessionId, {
    title: value.title,
    room: value.room,
    starts_at: value.startsAt,
    ends_at: value.endsAt,
    updated_at: ctx.clock.now().toISOString(),
  });
  await audit(db, ctx, actor, { orgId, action: 'session.updated', target: { type: 'event_session', id: sessionId }, data: { eventId, title: value.title } });
  return { id: sessionId, eventId, ...value };
}

/** A session whose door has already scanned people keeps its history: it cannot be deleted. */
export async function deleteSession(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, sessionId: string): Promise<void> {
  const session = await getSession(db, orgId, eventId, sessionId);
  if (await sessionHasCheckins(db, sessionId)) throw new DomainError('session_in_use', 'People have been scanned at this session: it cannot be deleted');
  await deleteSessionRow(db, orgId, eventId, sessionId);
  await audit(db, ctx, actor, { orgId, action: 'session.deleted', target: { type: 'event_session', id: sessionId }, data: { eventId, title: session.title } });
}
