import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../lib/errors.js';
import { endAttendeeSession, resolveAttendeeSession, type AttendeeSession } from '../modules/attendee-sessions/index.js';

/** One cookie for attendee sessions, apart from the staff cookie: a preview never touches that. */
export const ATTENDEE_COOKIE = 'tessera_attendee';

const resolved = new WeakMap<FastifyRequest, Promise<AttendeeSession | null>>();

export function setAttendeeCookie(app: FastifyInstance, reply: FastifyReply, token: string, session: AttendeeSession): void {
  const seconds = Math.max(1, Math.floor((new Date(session.expiresAt).getTime() - app.deps.clock.now().getTime()) / 1000));
  reply.setCookie(ATTENDEE_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: app.deps.config.publicUrl.protocol === 'https:',
    maxAge: seconds,
  });
}

export async function clearAttendeeSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = request.cookies[ATTENDEE_COOKIE];
  if (token) await endAttendeeSession(app.deps.db, token);
  reply.clearCookie(ATTENDEE_COOKIE, { path: '/' });
}

/**
 * The attendee session behind the request's cookie, resolved at most once per request and only
 * by attendee pages (staff pages never pay for it).
 */
export function attendeeOf(app: FastifyInstance, request: FastifyRequest): Promise<AttendeeSession | null> {
  let session = resolved.get(request);
  if (!session) {
    const token = request.cookies[ATTENDEE_COOKIE];
    session = token ? resolveAttendeeSession(app.deps.db, app.deps, token) : Promise.resolve(null);
    resolved.set(request, session);
  }
  return session;
}

/** The attendee session for this event, or unauthenticated (the app's own sign-in page then). */
export async function requireAttendee(app: FastifyInstance, request: FastifyRequest, eventId: string): Promise<AttendeeSession> {
  const session = await attendeeOf(app, request);
  if (!session || session.eventId !== eventId) throw new DomainError('unauthenticated', 'Sign in to continue');
  return session;
}

/** Headers for every page that carried or followed a credential (DESIGN.md section 2). */
export const CREDENTIAL_PAGE_HEADERS = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } as const;
