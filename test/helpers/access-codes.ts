import type { LightMyRequestResponse } from 'fastify';
import { systemActor } from '../../src/lib/context.js';
import { resendCredentials } from '../../src/modules/access-codes/index.js';
import type { Participant } from '../../src/modules/participants/index.js';
import type { TestApp } from './app.js';
import type { TestSmtp } from './outbox.js';
import { deliver } from './webapp.js';

/** The access code in a credentials email (the ready-made template prints it in <strong>). */
export function codeInMail(html: string): string {
  const match = /Access code: <strong>([^<]+)<\/strong>/.exec(html);
  if (!match?.[1]) throw new Error('no access code in the email');
  return match[1];
}

/** Sends the participant their credentials through the real worker and reads the code they got. */
export async function mailedCode(t: TestApp, smtp: TestSmtp, orgId: string, p: Participant): Promise<string> {
  await resendCredentials(t.db, t.ctx, systemActor, orgId, p.eventId, [p.id]);
  const mail = (await deliver(t, smtp)).find((m) => m.rcptTo.includes(p.email));
  if (!mail) throw new Error(`no credentials email reached ${p.email}`);
  return codeInMail(mail.html);
}

/** POSTs email + code to the event's code sign-in from a browser at `ip`, as the sign-in page's form does. */
export async function codeSignIn(t: TestApp, eventId: string, email: string, code: string, ip = '203.0.113.1'): Promise<LightMyRequestResponse> {
  const page = await t.app.inject({ method: 'GET', url: `/app/${eventId}/sign-in`, remoteAddress: ip, headers: { accept: 'text/html' } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return t.app.inject({
    method: 'POST',
    url: `/app/${eventId}/code-sign-in`,
    remoteAddress: ip,
    headers: { accept: 'text/html', cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, email, code }).toString(),
  });
}
