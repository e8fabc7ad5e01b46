import type { LightMyRequestResponse } from 'fastify';
import { enqueueEmail } from '../../src/modules/emailing/index.js';
import type { Participant } from '../../src/modules/participants/index.js';
import type { TestApp } from './app.js';
import { recipientOf, testWorker, transportTo, type ReceivedMail, type TestSmtp } from './outbox.js';

export const ATTENDEE_COOKIE = 'tessera_attendee';
export const STAFF_COOKIE = 'tessera_staff';

/** The token of the one personal link (https://tessera.test/l/<token>) in a received email. */
export function linkToken(mail: ReceivedMail): string {
  const match = /https:\/\/tessera\.test\/l\/(tsr_[a-z]+_[a-z2-7]+)/.exec(mail.html);
  if (!match?.[1]) throw new Error(`no personal link in "${mail.subject}"`);
  return match[1];
}

/** The messages the real worker sends now, through the real transport, into the test SMTP server. */
export async function deliver(t: TestApp, smtp: TestSmtp): Promise<ReceivedMail[]> {
  const before = smtp.received.length;
  const transport = transportTo(t, smtp);
  try {
    await testWorker(t, transport).runOnce();
  } finally {
    await transport.close();
  }
  // smtp-server parses asynchronously after acknowledging; give it a moment to record the message.
  for (let i = 0; i < 50 && smtp.received.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return smtp.received.slice(before);
}

/** Emails a template to a participant through the outbox and returns the personal link it carried. */
export async function mailLink(t: TestApp, smtp: TestSmtp, orgId: string, templateId: string, participant: Participant): Promise<string> {
  await enqueueEmail(t.db, t.ctx, { orgId, eventId: participant.eventId, templateId, category: 'transactional', recipient: recipientOf(participant), data: {} });
  const sent = await deliver(t, smtp);
  const mail = sent.find((m) => m.rcptTo.includes(participant.email));
  if (!mail) throw new Error(`no email reached ${participant.email}`);
  return linkToken(mail);
}

export async function countRows(t: TestApp, table: 'attendee_sessions' | 'credentials' | 'outbox' | 'audit_log'): Promise<number> {
  const row = await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function setCookieNamed(response: LightMyRequestResponse, name: string): string | undefined {
  const header = response.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header ? [header] : [];
  return all.find((c) => c.startsWith(`${name}=`));
}
