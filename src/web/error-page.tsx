import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DomainError } from '../lib/errors.js';
import { renderAttendeePage } from './attendee/attendee-page.js';
import { renderPage, redirect } from './page.js';

const TITLES: Partial<Record<DomainError['code'], string>> = {
  not_found: 'Not found',
  forbidden: 'Not allowed',
  csrf_failed: 'Form expired',
  rate_limited: 'Slow down',
  payload_too_large: 'File too large',
  internal_error: 'Something went wrong',
};

// Attendee pages (personal links, the web app, the event site) and sponsor pages get their own
// look and never a back-office link.
const ATTENDEE_PATH = /^\/(?:l|app|e|sponsor)\//;
const APP_EVENT = /^\/app\/([0-9a-z]{26})(?:[/?]|$)/;

function renderAttendeeError(request: FastifyRequest, reply: FastifyReply, error: DomainError, status: number) {
  const eventId = APP_EVENT.exec(request.url)?.[1];
  if (error.code === 'unauthenticated' && eventId && (request.method === 'GET' || request.method === 'HEAD')) return redirect(reply, `/app/${eventId}/sign-in`);
  const title = TITLES[error.code] ?? 'Request refused';
  return renderAttendeePage(request, reply, { title, status }, () => (
    <section class="narrow error">
      <h1>{title}</h1>
      <p>{error.message}</p>
      {eventId && (
        <p>
          <a href={`/app/${eventId}`}>Back to the app</a>
        </p>
      )}
    </section>
  ));
}

/** HTML rendering of any domain error; signed-out visitors of staff pages go to the sign-in page. */
export function renderErrorPage(request: FastifyRequest, reply: FastifyReply, error: DomainError, status: number) {
  if (ATTENDEE_PATH.test(request.url)) return renderAttendeeError(request, reply, error, status);
  if (error.code === 'unauthenticated' && request.method === 'GET') {
    const next = request.url.startsWith('/admin') ? `?next=${encodeURIComponent(request.url)}` : '';
    return redirect(reply, `/admin/login${next}`);
  }
  return renderPage(request, reply, { title: TITLES[error.code] ?? 'Request refused', status }, () => (
    <section class="error">
      <h1>{TITLES[error.code] ?? 'Request refused'}</h1>
      <p>{error.message}</p>
      <p class="muted">Code: {error.code}</p>
      <p>
        <a href="/admin">Back to the back-office</a>
      </p>
    </section>
  ));
}
