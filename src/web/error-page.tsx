import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DomainError } from '../lib/errors.js';
import { renderPage, redirect } from './page.js';

const TITLES: Partial<Record<DomainError['code'], string>> = {
  not_found: 'Not found',
  forbidden: 'Not allowed',
  csrf_failed: 'Form expired',
  rate_limited: 'Slow down',
  payload_too_large: 'File too large',
  internal_error: 'Something went wrong',
};

/** HTML rendering of any domain error; signed-out visitors of staff pages go to the sign-in page. */
export function renderErrorPage(request: FastifyRequest, reply: FastifyReply, error: DomainError, status: number) {
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
