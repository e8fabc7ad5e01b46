import { anonymousActor } from '../http/actor.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { findUnsubscribeTarget, resubscribe, unsubscribe, unsubscribeKeys, type UnsubscribeTarget } from '../modules/emailing/index.js';
import { renderAttendeePage } from './attendee/attendee-page.js';

/**
 * The page behind every marketing email's unsubscribe link (`/u/<signed token>`) and its RFC 8058
 * one-click POST. GET and HEAD only show a page: mail scanners fetch links, and a fetch must not
 * unsubscribe anybody. A POST acts: from our page's button, or from the mailbox provider with the
 * body `List-Unsubscribe=One-Click` and no cookies. The token itself is the authority (it can only
 * unsubscribe the one address it was made for), so there is no session and no CSRF token to
 * check: a forged cross-site POST would need the token, and with the token one needs no forgery.
 */

/** `j***@example.org`: enough for the owner to recognise, little for someone who was forwarded it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

function send(request: FastifyRequest, reply: FastifyReply, title: string, body: ComponentChildren, status = 200): FastifyReply {
  // Like every page reached through a link in an email: not cached, no Referer, not indexed.
  return renderAttendeePage(request, reply, { title, status }, () => <section class="narrow">{body}</section>);
}

/** One answer for every link we cannot use (forged, truncated, junk, message gone): it tells nothing. */
function invalidLink(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return send(
    request,
    reply,
    'Link not valid',
    <>
      <h1>This link is not valid</h1>
      <p>It may have been copied incompletely. Nothing was changed.</p>
      <p class="muted">To stop receiving emails, use the unsubscribe link of the most recent email you received.</p>
    </>,
    404,
  );
}

function ActionButton({ token, action, label }: { token: string; action: 'unsubscribe' | 'resubscribe'; label: string }) {
  return (
    <form method="post" action={`/u/${token}`}>
      <input type="hidden" name="action" value={action} />
      <button type="submit" class={action === 'unsubscribe' ? undefined : 'secondary'}>
        {label}
      </button>
    </form>
  );
}

const STILL_SENT = 'You will still receive the emails you need to take part, such as your sign-in links and credentials.';

function statePage(request: FastifyRequest, reply: FastifyReply, token: string, target: UnsubscribeTarget, changed: boolean): FastifyReply {
  const email = maskEmail(target.emailKey);
  if (target.unsubscribed) {
    return send(
      request,
      reply,
      'Unsubscribed',
      <>
        <h1>{changed ? 'You are unsubscribed' : 'Already unsubscribed'}</h1>
        <p role="status">
          {email} will no longer receive marketing emails from {target.orgName}.
        </p>
        <p class="muted">{STILL_SENT}</p>
        <p>Unsubscribed by mistake?</p>
        <ActionButton token={token} action="resubscribe" label={`Resubscribe ${email} to ${target.orgName} emails`} />
      </>,
    );
  }
  return send(
    request,
    reply,
    'Unsubscribe',
    <>
      <h1>{changed ? 'You are subscribed again' : 'Unsubscribe'}</h1>
      {changed ? (
        <p role="status">
          {email} will receive emails from {target.orgName} again.
        </p>
      ) : (
        <p>Stop marketing emails (invitations, reminders, news) from {target.orgName} to {email}?</p>
      )}
      <ActionButton token={token} action="unsubscribe" label={`Unsubscribe ${email} from ${target.orgName} emails`} />
      <p class="muted">{STILL_SENT}</p>
    </>,
  );
}

type Intent = 'one_click' | 'unsubscribe' | 'resubscribe' | null;

/** What the POST asks for. Only the first few fields of a multipart body are read. */
async function intentOf(request: FastifyRequest): Promise<Intent> {
  const fields: Record<string, string> = {};
  if (request.isMultipart()) {
    // RFC 8058 says providers SHOULD send multipart/form-data.
    for await (const part of request.parts({ limits: { fields: 5, fieldSize: 1024, files: 0, parts: 5 } })) {
      if (part.type === 'field' && typeof part.value === 'string') fields[part.fieldname] = part.value;
    }
  } else if (request.body && typeof request.body === 'object') {
    for (const [name, value] of Object.entries(request.body as Record<string, unknown>)) if (typeof value === 'string') fields[name] = value;
  }
  if (fields['List-Unsubscribe'] === 'One-Click') return 'one_click';
  if (fields['action'] === 'unsubscribe' || fields['action'] === 'resubscribe') return fields['action'];
  return null;
}


export async function unsubscribeRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const key = unsubscribeKeys(app.deps.keys);
  // A wildcard rather than `:token`: a 10 kB path reaches us (and gets the same page as any other
  // bad link) instead of the router's 414.
  const tokenOf = (request: FastifyRequest) => (request.params as { '*': string })['*'];

  app.get('/u/*', async (request, reply) => {
    const token = tokenOf(request);
    const target = await findUnsubscribeTarget(db, key, token);
    return target ? statePage(request, reply, token, target, false) : invalidLink(request, reply);
  });

  app.post('/u/*', { config: { csrf: false } }, async (request, reply) => {
    const token = tokenOf(request);
    const target = await findUnsubscribeTarget(db, key, token);
    if (!target) return invalidLink(request, reply);
    const intent = await intentOf(request);
    if (intent === null) return statePage(request, reply, token, target, false);
    const actor = anonymousActor(request, intent === 'one_click' ? 'one-click unsubscribe (mail provider)' : 'unsubscribe page');
    if (intent === 'resubscribe') {
      await db.transaction().execute((trx) => resubscribe(trx, app.deps, actor, target));
      return statePage(request, reply, token, { ...target, unsubscribed: false }, target.unsubscribed);
    }
    await db.transaction().execute((trx) => unsubscribe(trx, app.deps, actor, target));
    // The provider reads only the status; a person who posts the same form sees the page.
    return statePage(request, reply, token, { ...target, unsubscribed: true }, !target.unsubscribed);
  });
}
