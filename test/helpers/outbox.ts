import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerOptions } from 'smtp-server';
import { systemActor } from '../../src/lib/context.js';
import { createOutboxWorker, type OutboxWorkerOptions } from '../../src/jobs/outbox-worker.js';
import { createTemplate, type TemplateInput } from '../../src/modules/emailing/index.js';
import { createCustomField, type CustomFieldInput } from '../../src/modules/custom-fields/index.js';
import { createEvent } from '../../src/modules/events/index.js';
import { createMailTransport, type MailTransport } from '../../src/modules/mail-transport/index.js';
import { createParticipant, type Participant } from '../../src/modules/participants/index.js';
import type { TestApp } from './app.js';

export interface ReceivedMail {
  rcptTo: string[];
  raw: string;
  messageId: string;
  subject: string;
  html: string;
  text: string;
  /** Header block with folded lines joined: one header per line. */
  headerLines: string[];
}

export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/** An SMTP error reply as smtp-server sends it. */
export function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * A real SMTP server in-process. `onRcpt` may refuse a recipient with an SMTP error (see
 * smtpError); everything accepted is parsed and kept, with its raw header block.
 */
export async function startTestSmtp(onRcpt?: (address: string) => Error | null): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const options: SMTPServerOptions = {
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      callback(onRcpt?.(address.address) ?? undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n'));
        void simpleParser(raw).then((parsed) => {
          received.push({
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw,
            messageId: parsed.messageId ?? '',
            subject: parsed.subject ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            text: parsed.text ?? '',
            headerLines: headerBlock.replace(/\r\n[ \t]+/g, ' ').split('\r\n'),
          });
          callback(null, 'Captured');
        }, callback);
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address !== 'object') throw new Error('SMTP server has no port');
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The real nodemailer transport (mail-transport module) pointed at a test server. */
export function transportTo(t: TestApp, smtp: TestSmtp): MailTransport {
  return createMailTransport({ smtpUrl: smtp.url, smtpSinkPort: null, dkim: null, publicUrl: t.config.publicUrl }, { maxConnections: 2 });
}

export function testWorker(t: TestApp, transport: MailTransport, options: Partial<OutboxWorkerOptions> = {}) {
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  return createOutboxWorker({ db: t.db, dialect: t.dialect, ctx: t.ctx, transport, config: t.config, workerId: 'worker-a', log: silent, concurrency: 1, ...options });
}

export const SIMPLE_TEMPLATE: TemplateInput = {
  type: 'custom',
  name: 'Hello',
  subject: 'Hello {{ first_name }}',
  html: '<p>Dear {{ first_name }} {{ last_name }}, welcome to {{ event_name }}.</p>',
};

export interface Person {
  email: string;
  firstName: string;
  lastName: string;
  fields?: Record<string, unknown>;
}

/** An event (with custom fields), the given people as registered participants, and a template for it. */
export async function seedMailing(t: TestApp, orgId: string, people: Person[], template = SIMPLE_TEMPLATE, fields: CustomFieldInput[] = []) {
  const event = await createEvent(t.db, t.ctx, systemActor, orgId, {
    name: `Summit ${Math.random().toString(36).slice(2, 8)}`,
    startsAt: '2026-09-14T07:00:00.000Z',
    endsAt: '2026-09-15T16:00:00.000Z',
    timeZone: 'Europe/Paris',
  });
  for (const field of fields) await createCustomField(t.db, t.ctx, systemActor, orgId, event.id, field);
  const participants: Participant[] = [];
  for (const person of people) participants.push(await createParticipant(t.db, t.ctx, systemActor, orgId, event.id, person));
  const created = await createTemplate(t.db, t.ctx, systemActor, orgId, event.id, template, { publicUrl: t.config.publicUrl });
  return { event, participants, template: created };
}

export function recipientOf(p: Participant) {
  return { kind: 'participant' as const, id: p.id, email: p.email, name: `${p.firstName} ${p.lastName}` };
}
