import type { ComponentChildren } from 'preact';
import type { StaffUser } from '../modules/staff/index.js';

export interface NavContext {
  orgId: string;
  orgName: string;
  role: string;
}

export interface LayoutProps {
  title: string;
  csrf: string;
  staff?: StaffUser | null;
  nav?: NavContext | null;
  flash?: string | null;
  /** The local mail sink is in use (no SMTP_URL): staff get a link to its Mailbox page. */
  mailbox?: boolean;
  children: ComponentChildren;
}

export function Layout({ title, csrf, staff, nav, flash, mailbox, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${title} · Tessera`}</title>
        <link rel="stylesheet" href="/static/style.css" />
      </head>
      <body>
        <header class="topbar">
          <a class="brand" href="/admin">Tessera</a>
          {nav && (
            <nav>
              <a href={`/admin/o/${nav.orgId}/events`}>Events</a>
              <a href={`/admin/o/${nav.orgId}/staff`}>Staff</a>
              <a href={`/admin/o/${nav.orgId}/audit`}>Audit log</a>
              <a href={`/admin/o/${nav.orgId}/api-keys`}>API keys</a>
              <a href={`/admin/o/${nav.orgId}/contacts`}>Contacts</a>
              <a href={`/admin/o/${nav.orgId}/shops`}>Shops</a>
              <a href={`/admin/o/${nav.orgId}/settings`}>Settings</a>
            </nav>
          )}
          {staff && (
            <form method="post" action="/admin/logout" class="signout">
              <span class="who">{nav ? `${staff.name} · ${nav.orgName}` : staff.name}</span>
              {mailbox && <a href="/admin/mailbox">Mailbox</a>}
              <a href="/admin/account">Account</a>
              <input type="hidden" name="_csrf" value={csrf} />
              <button type="submit" class="link">Sign out</button>
            </form>
          )}
        </header>
        <main>
          {flash && (
            <p class="flash" role="status">
              {flash}
            </p>
          )}
          {children}
        </main>
      </body>
    </html>
  );
}

export function CsrfField({ csrf }: { csrf: string }) {
  return <input type="hidden" name="_csrf" value={csrf} />;
}
