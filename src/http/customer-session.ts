import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { endCustomerSession, resolveCustomerSession, type CustomerSession } from '../modules/customers/index.js';

/** Shop sessions have a cookie of their own: never the staff or the attendee one. */
export const CUSTOMER_COOKIE = 'tessera_customer';

const resolved = new WeakMap<FastifyRequest, Promise<CustomerSession | null>>();

function cookieOptions(app: FastifyInstance) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: app.deps.config.publicUrl.protocol === 'https:' };
}

export function setCustomerCookie(app: FastifyInstance, reply: FastifyReply, token: string, session: CustomerSession): void {
  const seconds = Math.max(1, Math.floor((new Date(session.expiresAt).getTime() - app.deps.clock.now().getTime()) / 1000));
  reply.setCookie(CUSTOMER_COOKIE, token, { ...cookieOptions(app), maxAge: seconds });
}

/** The customer session behind the request's cookie, resolved once per request. */
export function customerOf(app: FastifyInstance, request: FastifyRequest): Promise<CustomerSession | null> {
  let session = resolved.get(request);
  if (!session) {
    const token = request.cookies[CUSTOMER_COOKIE];
    session = token ? resolveCustomerSession(app.deps.db, app.deps, token) : Promise.resolve(null);
    resolved.set(request, session);
  }
  return session;
}

export async function clearCustomerSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = request.cookies[CUSTOMER_COOKIE];
  if (token) await endCustomerSession(app.deps.db, token);
  resolved.set(request, Promise.resolve(null));
  reply.clearCookie(CUSTOMER_COOKIE, cookieOptions(app));
}

/**
 * After a sign-in with the right password on an address not validated yet, the page offers to
 * send the validation email again. Which contact is remembered for ten minutes in a signed cookie,
 * so the button can only ever mail the address whose password was just typed.
 */
export const PENDING_COOKIE = 'tessera_pending_verification';

export function rememberPendingVerification(app: FastifyInstance, reply: FastifyReply, contactId: string): void {
  reply.setCookie(PENDING_COOKIE, contactId, { ...cookieOptions(app), signed: true, maxAge: 600 });
}

export function pendingVerification(request: FastifyRequest): string | null {
  const raw = request.cookies[PENDING_COOKIE];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid ? unsigned.value : null;
}
