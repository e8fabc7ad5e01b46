import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { h } from 'preact';
import { CREDENTIAL_PAGE_HEADERS } from '../../http/attendee-session.js';
import { sendHtml } from '../../http/render.js';
import type { AttendeeSession } from '../../modules/attendee-sessions/index.js';

export interface AttendeePageOptions {
  title: string;
  status?: number;
  /** The event the page belongs to: its name heads the page. */
  eventName?: string | null;
  /** The signed-in attendee's session: a preview gets its banner on every page. */
  session?: AttendeeSession | null;
  /** Links in the page header (the web app's menu); a function when it holds a form (sign out). */
  nav?: ComponentChildren | ((csrf: string) => ComponentChildren);
}

function AttendeeLayout(props: AttendeePageOptions & { csrf: string; children: ComponentChildren }) {
  const preview = props.session?.kind === 'preview';
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>{props.eventName ? `${props.title} · ${props.eventName}` : props.title}</title>
        <link rel="stylesheet" href="/static/style.css" />
      </head>
      <body class="attendee">
        {preview && (
          <p class="preview-banner" role="alert" data-testid="preview-banner">
            Staff preview: you are seeing the app as this attendee. Nothing here can change their credentials or email address. Ends within 15 minutes.
          </p>
        )}
        <header class="topbar">
          <span class="brand">{props.eventName ?? 'Tessera'}</span>
          {props.nav && <nav>{typeof props.nav === 'function' ? props.nav(props.csrf) : props.nav}</nav>}
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/**
 * Pages seen by attendees (landing pages, forms, the web app). Never cached, never sending a
 * Referer: a page reached through a credential must not leak it to the next site or a proxy.
 */
export function renderAttendeePage(request: FastifyRequest, reply: FastifyReply, options: AttendeePageOptions, body: (csrf: string) => ComponentChildren): FastifyReply {
  const csrf = reply.generateCsrf();
  void request;
  reply.headers(CREDENTIAL_PAGE_HEADERS);
  return sendHtml(reply, h(AttendeeLayout, { ...options, csrf, children: body(csrf) }), options.status ?? 200);
}
