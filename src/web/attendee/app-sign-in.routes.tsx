import { anonymousActor } from '../../http/actor.js';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { canonicalEmail } from '../../lib/email.js';
import { getPublicEvent, type Event } from '../../modules/events/index.js';
import { CodeSignInForm } from './access-code-views.js';
import { requestSignInLink } from '../../modules/webapp/index.js';
import { redirect } from '../page.js';
import { appContext, eventIdOf } from './app.routes.js';
import { SignInForm, SignInSent } from './app-views.js';
import { renderAttendeePage } from './attendee-page.js';
import { appPath } from './webapp-link.js';

/**
 * "Email me a sign-in link" limits. Per address: a few links per link lifetime, so nobody can
 * flood an inbox, whoever owns it (counted for unknown addresses too, so the limit says nothing
 * about who is registered). Per IP: generous, because a whole venue's wifi is one address.
 * The counters live where the other rate limits do: in-process, or Redis when REDIS_URL is set.
 */
export const SIGNIN_LIMITS = {
  perAddress: { max: 3, timeWindow: 10 * 60_000 },
  perIp: { max: 30, timeWindow: 10 * 60_000 },
} as const;

const SignInBody = Type.Object({ _csrf: Type.String({ maxLength: 200 }), email: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });

/** Counted by canonical address, hashed: the rate-limit store (maybe a shared Redis) holds no addresses. */
function addressKey(request: FastifyRequest): string {
  const email = (request.body as { email?: string } | undefined)?.email;
  const key = canonicalEmail(email)?.key ?? '';
  return `app-signin:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}


export interface SignInPageState {
  email: string;
  signedOut?: boolean;
  /** The answer to a failed email + code sign-in (the same whatever failed). */
  codeError?: string;
  linkError?: string;
  status?: number;
}

/** The sign-in page: email + access code, and "email me a sign-in link" (which always works). */
export function showSignInPage(request: FastifyRequest, reply: FastifyReply, event: Event, state: SignInPageState) {
  const base = appPath(event.id);
  return renderAttendeePage(request, reply, { title: 'Sign in', eventName: event.name, status: state.status ?? 200 }, (csrf) => (
    <SignInForm base={base} csrf={csrf} event={event} email={state.email} error={state.linkError} signedOut={state.signedOut ?? false}>
      <CodeSignInForm base={base} csrf={csrf} email={state.email} error={state.codeError} />
    </SignInForm>
  ));
}

/** The web app's sign-in page: email + access code, or "email me a sign-in link". */
export async function appSignInRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const perAddress = app.createRateLimit({ ...SIGNIN_LIMITS.perAddress, keyGenerator: addressKey });

  app.get('/app/:eventId/sign-in', async (request, reply) => {
    const event = await getPublicEvent(db, eventIdOf(request));
    if (await appContext(app, request, reply)) return redirect(reply, appPath(event.id));
    const signedOut = (request.query as Record<string, unknown>)['out'] === '1';
    return showSignInPage(request, reply, event, { email: '', signedOut });
  });

  app.post(
    '/app/:eventId/sign-in',
    { schema: { body: SignInBody }, config: { rateLimit: SIGNIN_LIMITS.perIp } },
    async (request, reply) => {
      const event = await getPublicEvent(db, eventIdOf(request));
      const typed = (request.body as { email: string }).email.trim();
      const canonical = canonicalEmail(typed);
      const form = (error: string, status: number) => showSignInPage(request, reply, event, { email: typed.slice(0, 254), linkError: error, status });
      if (!canonical) return form('Enter one valid email address.', 400);
      const limit = await perAddress(request);
      if (!limit.isAllowed && limit.isExceeded) {
        reply.header('retry-after', String(limit.ttlInSeconds));
        const minutes = Math.max(1, Math.ceil(limit.ttlInSeconds / 60));
        return form(`Several sign-in links were asked for this address just now. Use the latest one, or ask again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, 429);
      }
      await requestSignInLink(db, app.deps, anonymousActor(request), event, canonical.email);
      return renderAttendeePage(request, reply, { title: 'Check your inbox', eventName: event.name }, () => (
        <SignInSent event={event} email={canonical.email} base={appPath(event.id)} />
      ));
    },
  );
}
