import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { confirmCurrentCode, recordSignIn, setChosenCode, signInWithCode } from '../../modules/access-codes/index.js';
import { audit } from '../../modules/audit/index.js';
import type { AttendeeSession } from '../../modules/attendee-sessions/index.js';
import { getPublicEvent } from '../../modules/events/index.js';
import { redirect } from '../page.js';
import { CODE_SIGN_IN_FAILED, ChangeCodeForm, type ChangeCodeProps } from './access-code-views.js';
import { appContext, eventIdOf, renderAppPage, signInPath, type AppContext } from './app.routes.js';
import { showSignInPage } from './app-sign-in.routes.js';
import { openAppSession } from './webapp-link.js';

/**
 * Limits on email + code sign-in, on top of the per-attendee counter in the database (10 wrong
 * codes in a row, then growing waits). Per IP: generous, a venue's wifi is one address.
 * Globally: bounds a guesser spread over many addresses; TESSERA_CODE_SIGNIN_PER_MINUTE.
 */
export const CODE_SIGNIN_LIMITS = {
  perIp: { max: 200, timeWindow: 60_000 },
  change: { max: 10, timeWindow: 15 * 60_000 },
} as const;

/** A session opened by a link this recently may set a new code without the current one. */
export const FRESH_LINK_MINUTES = 15;

const CodeSignInBody = Type.Object(
  { _csrf: Type.String({ maxLength: 200 }), email: Type.String({ maxLength: 1000 }), code: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);
const ChangeBody = Type.Object(
  { _csrf: Type.String({ maxLength: 200 }), current: Type.Optional(Type.String({ maxLength: 200 })), code: Type.String({ maxLength: 200 }), repeat: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);

function attendeeActor(request: FastifyRequest, c: AppContext): Actor {
  return { type: 'attendee', id: c.participant.id, label: c.participant.email, ip: request.ip };
}

function freshFromLink(session: AttendeeSession, now: Date): boolean {
  return session.credentialId !== null && now.getTime() - new Date(session.createdAt).getTime() < FRESH_LINK_MINUTES * 60_000;
}

export async function accessCodeRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  const global = app.createRateLimit({ max: config.codeSignInPerMinute, timeWindow: 60_000, keyGenerator: () => 'code-signin:all' });
  // Changing a code can tell "someone has this code" only as "choose another": still, bounded.
  const perClient = app.createRateLimit({ ...CODE_SIGNIN_LIMITS.change, keyGenerator: (request) => `code-change:${String((request.params as { eventId?: string }).eventId)}:${request.ip}` });

  app.post(
    '/app/:eventId/code-sign-in',
    { schema: { body: CodeSignInBody }, config: { rateLimit: CODE_SIGNIN_LIMITS.perIp } },
    async (request, reply) => {
      const event = await getPublicEvent(db, eventIdOf(request));
      const { email, code } = request.body as { email: string; code: string };
      const typed = email.trim().slice(0, 254);
      const limit = await global(request);
      if (!limit.isAllowed && limit.isExceeded) {
        reply.header('retry-after', String(limit.ttlInSeconds));
        return showSignInPage(request, reply, event, { email: typed, codeError: 'Too many sign-ins right now. Wait a minute, or use "Email me a sign-in link" below.', status: 429 });
      }
      const participant = await signInWithCode(db, app.deps.dialect, app.deps, event, typed, code);
      if (!participant) return showSignInPage(request, reply, event, { email: typed, codeError: CODE_SIGN_IN_FAILED, status: 401 });
      const actor: Actor = { type: 'attendee', id: participant.id, label: participant.email, ip: request.ip };
      // The browser's previous attendee session is ended by openAppSession: read its cookie before the transaction.
      const path = await db.transaction().execute(async (trx) => {
        await recordSignIn(trx, app.deps, event.orgId, event.id, participant.id, 'access_code');
        await audit(trx, app.deps, actor, { orgId: event.orgId, action: 'app.signed_in', target: { type: 'participant', id: participant.id }, data: { eventId: event.id, method: 'access_code' } });
        return openAppSession(trx, app, request, reply, { kind: 'app', orgId: event.orgId, eventId: event.id, participantId: participant.id });
      });
      return redirect(reply, path);
    },
  );

  function showChange(request: FastifyRequest, reply: FastifyReply, c: AppContext, errors: ChangeCodeProps['errors'], status = 200, done = false) {
    const needsCurrent = !freshFromLink(c.session, app.deps.clock.now());
    return renderAppPage(request, reply, c, { title: 'My access code', status }, (csrf) => (
      <ChangeCodeForm base={c.base} csrf={csrf} event={c.event} needsCurrent={needsCurrent} readOnly={c.session.kind === 'preview'} errors={errors} done={done} />
    ));
  }

  app.get('/app/:eventId/access-code', async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    return showChange(request, reply, c, {}, 200, (request.query as Record<string, unknown>)['done'] === '1');
  });

  app.post('/app/:eventId/access-code', { schema: { body: ChangeBody } }, async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    if (c.session.kind === 'preview') return showChange(request, reply, c, { _form: 'A staff preview cannot change the access code.' }, 403);
    const limit = await perClient(request);
    if (!limit.isAllowed && limit.isExceeded) return showChange(request, reply, c, { _form: 'Too many attempts. Wait a few minutes and try again.' }, 429);
    const body = request.body as { current?: string; code: string; repeat: string };
    if (body.code !== body.repeat) return showChange(request, reply, c, { repeat: 'The two new codes are not the same.' }, 400);
    if (!freshFromLink(c.session, app.deps.clock.now()) && !(await confirmCurrentCode(db, app.deps.dialect, app.deps, c.event.id, c.participant.id, body.current ?? ''))) {
      return showChange(request, reply, c, { current: 'This is not your current access code. Forgot it? Sign out and ask for a sign-in link: from it you can set a new code without the old one.' }, 400);
    }
    const personalWords = [c.participant.email.split('@')[0] ?? '', c.participant.firstName, c.participant.lastName, c.event.name, c.event.slug];
    try {
      const path = await db.transaction().execute(async (trx) => {
        // Setting the code signs every app session of the attendee out; this browser gets a new one.
        await setChosenCode(trx, app.deps, attendeeActor(request, c), c.session.orgId, c.event.id, c.participant.id, { code: body.code, personalWords }, 'attendee');
        return openAppSession(trx, app, request, reply, { kind: 'app', orgId: c.session.orgId, eventId: c.event.id, participantId: c.participant.id });
      });
      return redirect(reply, `${path}/access-code?done=1`);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') return showChange(request, reply, c, { code: error.message }, 400);
      throw error;
    }
  });
}
