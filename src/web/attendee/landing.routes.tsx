import { anonymousActor } from '../../http/actor.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { attendeeOf, CREDENTIAL_PAGE_HEADERS } from '../../http/attendee-session.js';
import { DomainError } from '../../lib/errors.js';
import { claimedPurpose, inspectLink, redeemCredential, type Credential, type LinkState } from '../../modules/credentials/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import { getParticipant } from '../../modules/participants/index.js';
import { sendFreshLink } from '../../modules/personal-links/index.js';
import { CsrfField } from '../layout.js';
import { redirect } from '../page.js';
import { renderAttendeePage } from './attendee-page.js';
import { linkPurposeHandler, type LinkPurposeHandler } from './link-purposes.js';

/** Tokens are 57 characters; anything much longer is refused before it is even looked at. */
const MAX_PARAM = 100;

function tokenParam(request: FastifyRequest): string {
  const { token } = request.params as { token?: string };
  return typeof token === 'string' && token.length <= MAX_PARAM ? token : '';
}

function handlerFor(token: string): LinkPurposeHandler | null {
  const purpose = claimedPurpose(token);
  return (purpose && linkPurposeHandler(purpose)) || null;
}

async function eventOf(app: FastifyInstance, credential: Credential): Promise<Event | null> {
  return credential.eventId ? getEvent(app.deps.db, credential.orgId, credential.eventId).catch(() => null) : null;
}

/** "Ada L.": the owner recognises themselves; someone holding a forwarded email learns little. */
function shortName(first: string, last: string): string {
  const initial = last.trim().charAt(0);
  return [first.trim(), initial ? `${initial.toUpperCase()}.` : ''].filter(Boolean).join(' ') || 'the invited person';
}

async function ownerName(app: FastifyInstance, credential: Credential): Promise<string> {
  if (credential.subjectType !== 'participant' || !credential.eventId) return 'the invited person';
  const participant = await getParticipant(app.deps.db, credential.orgId, credential.eventId, credential.subjectId).catch(() => null);
  return participant ? shortName(participant.firstName, participant.lastName) : 'the invited person';
}

function UnknownLink() {
  return (
    <section class="narrow">
      <h1>This link cannot be used</h1>
      <p>It may be incomplete: try copying the whole link from your email. If it still does not work, ask the organiser for a new one.</p>
    </section>
  );
}

const DEAD_REASON: Record<'expired' | 'revoked' | 'used', string> = {
  expired: 'has expired',
  revoked: 'has been replaced or withdrawn',
  used: 'has already been used',
};

function DeadLink(props: { label: string; state: 'expired' | 'revoked' | 'used'; event: Event | null; token: string; csrf: string; renewal: { href: string; text: string; button: string } | null }) {
  return (
    <section class="narrow">
      <h1>
        This {props.label}
        {props.event ? ` for ${props.event.name}` : ''} {DEAD_REASON[props.state]}
      </h1>
      {props.renewal ? (
        <>
          <p>{props.renewal.text}</p>
          <p>
            <a class="button" href={props.renewal.href}>
              {props.renewal.button}
            </a>
          </p>
        </>
      ) : (
        <>
          <p>We can email a fresh link to the address this one was sent to.</p>
          <form method="post" action={`/l/${props.token}/renew`}>
            <CsrfField csrf={props.csrf} />
            <button type="submit">Email me a fresh link</button>
          </form>
        </>
      )}
    </section>
  );
}

async function renderState(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, token: string, handler: LinkPurposeHandler | null, state: LinkState): Promise<FastifyReply> {
  if (!handler || state.state === 'unknown') {
    return renderAttendeePage(request, reply, { title: 'Link not valid', status: 404 }, () => <UnknownLink />);
  }
  const event = await eventOf(app, state.credential);
  const eventName = event?.name ?? null;
  if (state.state === 'test') {
    return renderAttendeePage(request, reply, { title: 'Test link', eventName }, () => (
      <section class="narrow">
        <h1>This is a test link</h1>
        <p>
          It was sent by a "send test" of an email template, to check what each participant would receive. It opens nothing: every real recipient gets a
          link of their own when the email is sent.
        </p>
      </section>
    ));
  }
  if (state.state !== 'valid') {
    const dead = state.state;
    return renderAttendeePage(request, reply, { title: 'Link no longer valid', status: 410, eventName }, (csrf) => (
      <DeadLink label={handler.label} state={dead} event={event} token={token} csrf={csrf} renewal={handler.renewal?.(state.credential) ?? null} />
    ));
  }
  const text = handler.landing({ credential: state.credential, event, shortName: await ownerName(app, state.credential) });
  return renderAttendeePage(request, reply, { title: text.heading, eventName }, (csrf) => (
    <section class="narrow landing">
      <h1>{text.heading}</h1>
      <p>{text.text}</p>
      <form method="post" action={`/l/${token}`}>
        <CsrfField csrf={csrf} />
        <button type="submit" data-testid="landing-continue">
          {text.button}
        </button>
      </form>
      <p class="muted">This link is personal. If this email was forwarded to you, please do not continue.</p>
    </section>
  ));
}

/**
 * A link only some requests may see (a staff preview): anyone else gets the unknown-link answer,
 * and its fetch is not even counted. One extra lookup, for those kinds only.
 */
async function authorized(app: FastifyInstance, request: FastifyRequest, token: string, handler: LinkPurposeHandler): Promise<boolean> {
  if (!handler.authorize) return true;
  const state = await inspectLink(app.deps.db, app.deps, token, { purposes: [handler.purpose] });
  return state.state !== 'unknown' && (await handler.authorize(app, request, state.credential));
}


/**
 * Every personal link opens here. GET and HEAD only show what the link is for (mail scanners
 * and link previews fetch it; they count as "fetched" and change nothing else); the button
 * POSTs, which uses the credential, opens the session and redirects to a URL without it.
 */
export async function landingRoutes(app: FastifyInstance): Promise<void> {
  app.get('/l/:token', async (request, reply) => {
    const token = tokenParam(request);
    const handler = handlerFor(token);
    const state: LinkState = handler && (await authorized(app, request, token, handler))
      ? await inspectLink(app.deps.db, app.deps, token, { purposes: [handler.purpose] }, { userAgent: request.headers['user-agent'] ?? null })
      : { state: 'unknown' };
    return renderState(app, request, reply, token, handler, state);
  });

  app.post('/l/:token', { config: { rateLimit: { max: 60, timeWindow: '1 minute' } } }, async (request, reply) => {
    const token = tokenParam(request);
    const handler = handlerFor(token);
    reply.headers(CREDENTIAL_PAGE_HEADERS);
    if (!handler || !(await authorized(app, request, token, handler))) return renderState(app, request, reply, token, null, { state: 'unknown' });
    // The browser's current attendee session is read before the transaction (handlers look at
    // it; on SQLite a read outside the open transaction would wait for it forever).
    await attendeeOf(app, request);
    // One transaction: the credential is used if and only if what it opens was opened.
    const target = await app.deps.db.transaction().execute(async (trx) => {
      let credential: Credential;
      try {
        credential = await redeemCredential(trx, app.deps, anonymousActor(request), token, { purposes: [handler.purpose] });
      } catch (err) {
        if (err instanceof DomainError && err.code === 'link_invalid') return null;
        throw err;
      }
      return handler.redeem(trx, app, request, reply, credential);
    });
    if (target === null) return renderState(app, request, reply, token, handler, await inspectLink(app.deps.db, app.deps, token, { purposes: [handler.purpose] }));
    return redirect(reply, target);
  });

  // Longer than the router's parameter limit (maxParamLength), or with more path segments: not a
  // link of ours either. Answered exactly as a malformed token is, instead of the router's 414
  // (which differs, and echoes the whole path back).
  const unknownLink = (request: FastifyRequest, reply: FastifyReply) => renderState(app, request, reply, '', null, { state: 'unknown' });
  app.get('/l/*', unknownLink);
  app.post('/l/*', { config: { rateLimit: { max: 60, timeWindow: '1 minute' } } }, unknownLink);

  app.post('/l/:token/renew', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request, reply) => {
    const token = tokenParam(request);
    const handler = handlerFor(token);
    // Sent only for a link that really is dead; the answer is the same whatever happened.
    const state: LinkState = handler ? await inspectLink(app.deps.db, app.deps, token, { purposes: [handler.purpose] }) : { state: 'unknown' };
    if (state.state === 'expired' || state.state === 'revoked' || state.state === 'used') await sendFreshLink(app.deps.db, app.deps, state.credential);
    return renderAttendeePage(request, reply, { title: 'Check your inbox' }, () => (
      <section class="narrow">
        <h1>Check your inbox</h1>
        <p>If this link was one of ours, a fresh one is on its way to the address it was sent to. It can take a few minutes to arrive.</p>
      </section>
    ));
  });
}
