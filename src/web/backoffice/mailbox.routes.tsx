import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../lib/errors.js';
import { ID_REGEX_SOURCE } from '../../lib/ids.js';
import { requireStaff } from '../../http/staff-session.js';
import { findMailboxMessage, listMailboxMessages, type MailboxMessage, type MailboxViewer } from '../../modules/mail-transport/index.js';
import { renderPage } from '../page.js';
import { hrefWith } from './components.js';
import { MailboxList, MailboxMessageView } from './mailbox-views.js';

const PAGE_SIZE = 50;

/**
 * The framed HTML body is someone else's markup: no script, no plugin, no form, no fetch, only
 * inline styles and inline (data:/cid:) images. `allow-popups` and escaping the sandbox let a
 * link open the real Tessera page in a new tab, where it works normally. Only our own pages may
 * frame it.
 */
export const MAIL_HTML_CSP =
  "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; frame-ancestors 'self'";

// Inside a frame, a plain link would navigate the frame, and our pages refuse to be framed; every
// link of the message opens a new tab instead. The first <base> wins, whatever the message holds.
const FRAME_PREAMBLE = '<!doctype html><meta charset="utf-8"><base target="_blank">';

const ListQuery = Type.Object({ before: Type.Optional(Type.String({ pattern: `${ID_REGEX_SOURCE}|^$` })) }, { additionalProperties: false });
const MessageParams = Type.Object({ id: Type.String({ pattern: ID_REGEX_SOURCE }) });

/** Who reads: the signed-in staff member. The page exists only while the local sink is in use. */
function viewerOf(app: FastifyInstance, request: FastifyRequest): MailboxViewer {
  const staff = requireStaff(request);
  // With SMTP_URL set, mail goes to a real relay and nothing new arrives here.
  if (app.deps.config.smtpSinkPort === null) throw new DomainError('not_found', 'Not found');
  return { userId: staff.id, emailKey: staff.email.toLowerCase() };
}

async function messageFor(app: FastifyInstance, request: FastifyRequest): Promise<MailboxMessage> {
  const viewer = viewerOf(app, request);
  const { id } = request.params as { id: string };
  const message = await findMailboxMessage(app.deps.db, viewer, id);
  if (!message) throw new DomainError('not_found', 'Not found');
  return message;
}

/** The local mail sink's messages: list, one message, and its HTML body for the sandboxed frame. */
export async function mailboxRoutes(app: FastifyInstance): Promise<void> {
  app.get('/admin/mailbox', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const viewer = viewerOf(app, request);
    const { before } = request.query as { before?: string };
    // One extra row tells whether an older page exists without a count query.
    const rows = await listMailboxMessages(app.deps.db, viewer, { before: before || undefined, limit: PAGE_SIZE + 1 });
    const messages = rows.slice(0, PAGE_SIZE);
    const last = messages[messages.length - 1];
    const olderHref = rows.length > PAGE_SIZE && last ? hrefWith('/admin/mailbox', { before: last.id }) : null;
    const newestHref = before ? '/admin/mailbox' : null;
    return renderPage(request, reply, { title: 'Mailbox' }, () => (
      <MailboxList messages={messages} newestHref={newestHref} olderHref={olderHref} />
    ));
  });

  app.get('/admin/mailbox/:id', { schema: { params: MessageParams } }, async (request, reply) => {
    const message = await messageFor(app, request);
    return renderPage(request, reply, { title: message.subject || 'Message' }, () => <MailboxMessageView message={message} />);
  });

  app.get('/admin/mailbox/:id/html', { schema: { params: MessageParams } }, async (request, reply) => {
    const message = await messageFor(app, request);
    if (message.html === null) throw new DomainError('not_found', 'Not found');
    return reply
      .header('content-security-policy', MAIL_HTML_CSP)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(FRAME_PREAMBLE + message.html);
  });
}
