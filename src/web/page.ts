import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { h } from 'preact';
import { sendHtml } from '../http/render.js';
import { Layout, type NavContext } from './layout.js';

export interface PageOptions {
  title: string;
  nav?: NavContext | null;
  status?: number;
  flash?: string | null;
}

/** Renders a full page with the layout; the CSRF token is created here so every form can use it. */
export function renderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  options: PageOptions,
  body: (csrf: string) => ComponentChildren,
): FastifyReply {
  const csrf = reply.generateCsrf();
  const flash = options.flash ?? flashFrom(request);
  return sendHtml(
    reply,
    h(Layout, {
      title: options.title,
      csrf,
      staff: request.staff,
      nav: options.nav ?? null,
      flash,
      mailbox: request.server.deps.config.smtpSinkPort !== null,
      children: body(csrf),
    }),
    options.status ?? 200,
  );
}

// Flash messages travel in the redirect's query string: short fixed texts chosen by code, so a
// crafted link can only show one of our own sentences.
const FLASHES: Record<string, string> = {
  saved: 'Saved.',
  created: 'Created.',
  deleted: 'Deleted.',
  imported: 'Import finished.',
  revoked: 'Revoked.',
  signed_out: 'You are signed out.',
  member_existing: 'Added. They already had a Tessera account and keep their own password.',
  test_sent: 'Test emails queued to your address: read them in your inbox (or the Mailbox).',
  sending: 'The campaign is sending.',
  scheduled: 'Scheduled.',
  unscheduled: 'No longer scheduled: the campaign is a draft again.',
  paused: 'Paused: queued emails are held until you resume.',
  resumed: 'Resumed.',
  cancelled: 'Cancelled: emails not yet sent will not be sent.',
  retried: 'Failed emails are queued again.',
  password_changed: 'Password changed and every session ended. Sign in with the new password.',
  credentials_sent: 'Credentials email queued, with the same code.',
  set_code_link_sent: 'The attendee chose their own code, which cannot be sent: a link to set a new code is queued.',
  code_regenerated: 'New code generated and emailed; the old code no longer works.',
  code_set: 'Code set; the old code no longer works. It was not emailed: tell the attendee.',
};

function flashFrom(request: FastifyRequest): string | null {
  const code = (request.query as Record<string, unknown> | undefined)?.['done'];
  return typeof code === 'string' ? (FLASHES[code] ?? null) : null;
}

export function redirect(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}
