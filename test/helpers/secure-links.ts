import assert from 'node:assert/strict';
import { systemActor } from '../../src/lib/context.js';
import { createTemplate, enqueueEmail, type TemplateType } from '../../src/modules/emailing/index.js';
import type { MailTransport } from '../../src/modules/mail-transport/index.js';
import type { Participant } from '../../src/modules/participants/index.js';
import type { TestApp } from './app.js';
import type { Session } from './browser-session.js';
import { startTestSmtp, testWorker, transportTo, type ReceivedMail, type TestSmtp } from './outbox.js';

/** Mail through the real worker into a real in-process SMTP server, read back per address. */
export interface MailKit {
  smtp: TestSmtp;
  transport: MailTransport;
  /** Runs the outbox worker until nothing is due. */
  drain(): Promise<void>;
  mailsTo(address: string): ReceivedMail[];
  lastMailTo(address: string): ReceivedMail;
  close(): Promise<void>;
}

export async function mailKit(t: TestApp): Promise<MailKit> {
  const smtp = await startTestSmtp();
  const transport = transportTo(t, smtp);
  const worker = testWorker(t, transport);
  const mailsTo = (address: string) => smtp.received.filter((m) => m.rcptTo.includes(address.toLowerCase()) || m.rcptTo.includes(address));
  return {
    smtp,
    transport,
    async drain() {
      for (let i = 0; i < 10; i++) {
        const result = await worker.runOnce();
        if (result.sent + result.retried + result.failed + result.skipped === 0) return;
      }
    },
    mailsTo,
    lastMailTo(address) {
      const mails = mailsTo(address);
      assert.ok(mails.length > 0, `a mail to ${address}`);
      return mails[mails.length - 1]!;
    },
    async close() {
      await transport.close();
      await smtp.close();
    },
  };
}

/** The personal link token in a mail (the first one when there are several). */
export function tokenIn(mail: ReceivedMail): string {
  const match = /https:\/\/tessera\.test\/l\/(tsr_[a-z]+_[a-z2-7]+)/.exec(mail.html);
  assert.ok(match?.[1], `a personal link in "${mail.subject}"`);
  return match[1];
}

/** Queues one email from an ad-hoc template to a participant, as a campaign would. */
export async function sendTemplate(t: TestApp, participant: Participant, html: string, type: TemplateType = 'custom'): Promise<void> {
  const orgId = (await t.db.selectFrom('events').select('org_id').where('id', '=', participant.eventId).executeTakeFirstOrThrow()).org_id;
  await t.db.transaction().execute(async (trx) => {
    const template = await createTemplate(trx, t.ctx, systemActor, orgId, participant.eventId, { type, name: `T ${Math.random()}`, subject: 'Your link', html }, { publicUrl: t.config.publicUrl });
    await enqueueEmail(trx, t.ctx, {
      orgId,
      eventId: participant.eventId,
      templateId: template.id,
      category: 'transactional',
      recipient: { kind: 'participant', id: participant.id, email: participant.email, name: participant.firstName },
    });
  });
}

/** Opens a personal link as a person does: the landing page, then its button. Returns where it led. */
export async function openLink(browser: Session, token: string): Promise<string> {
  const landing = await browser.get(`/l/${token}`);
  assert.equal(landing.statusCode, 200, landing.body.slice(0, 400));
  const clicked = await browser.post(`/l/${token}`, {});
  assert.equal(clicked.statusCode, 303, clicked.body.slice(0, 400));
  return clicked.headers.location as string;
}
