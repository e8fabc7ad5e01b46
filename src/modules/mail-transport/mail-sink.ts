import type { Readable } from 'node:stream';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { groupCommit } from '../../lib/group-commit.js';
import { newId } from '../../lib/ids.js';
import { headerFields, messageIdOf, subjectOf } from './mail-headers.js';
import { insertMailboxMessages, type NewMailboxMessage } from './mailbox.repository.js';

/** Larger messages are refused (552): the sink keeps whole bodies in the database. */
export const SINK_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export interface MailSinkOptions {
  db: Db;
  ctx: Ctx;
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  onError?: (err: Error) => void;
}

export interface MailSink {
  port: number;
  close(): Promise<void>;
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.replace(/^::ffff:/, '');
  return plain === '::1' || plain.startsWith('127.');
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** Reads the DATA stream, keeping at most the size limit (the rest is drained, not stored). */
async function readBounded(stream: Readable): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > SINK_MAX_MESSAGE_BYTES) over = true;
    else chunks.push(chunk);
  }
  return over ? null : Buffer.concat(chunks, size);
}

function headerBlock(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const block = raw.subarray(0, Math.min(end === -1 ? raw.length : end, MAX_HEADER_BYTES));
  return block.toString('utf8');
}

/**
 * What the Mailbox list needs, from the header block only; the bodies stay in `raw` until someone
 * opens the message (mailbox.repository.ts). Parsing every message with mailparser here cost
 * ~0.6 ms of CPU a message, more than sending it.
 */
function storedMessage(ctx: Ctx, raw: Buffer, session: SMTPServerSession): NewMailboxMessage {
  const headers = headerBlock(raw);
  const fields = headerFields(headers);
  const { mailFrom, rcptTo } = session.envelope;
  const recipients = rcptTo.map((rcpt) => rcpt.address);
  const row = {
    id: newId(ctx.clock, ctx.random),
    message_id: messageIdOf(fields),
    mail_from: mailFrom ? mailFrom.address : '',
    rcpt_to: recipients.join(', '),
    subject: subjectOf(fields),
    headers,
    html: null,
    text: null,
    raw,
    raw_size: raw.length,
    received_at: ctx.clock.now().toISOString(),
  };
  return { row, recipientKeys: recipients.map((address) => address.toLowerCase()) };
}

/**
 * The out-of-the-box mail server: SMTP on loopback that accepts any message for anyone, without
 * authentication or TLS (nothing leaves the machine), and keeps it for the Mailbox page.
 */
export async function startMailSink(options: MailSinkOptions): Promise<MailSink> {
  const host = options.host ?? '127.0.0.1';
  // Accepting mail for anyone is safe only when nobody else can connect.
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`The mail sink listens on loopback only, not on ${host}`);
  // Messages that arrive together share one transaction (a transaction per message cost the sink
  // a sixth of its time); each sender gets its 250 only once its message is committed.
  const write = groupCommit((messages: NewMailboxMessage[]) => insertMailboxMessages(options.db, messages));
  // Loaded here: an install that sends through a relay never starts the sink and never pays for it.
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer({
    name: 'localhost',
    banner: 'Tessera local mail sink',
    size: SINK_MAX_MESSAGE_BYTES,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    maxClients: 100,
    closeTimeout: 1000,
    onConnect(session, callback) {
      if (!isLoopback(session.remoteAddress)) return callback(smtpError('Loopback connections only', 554));
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      readBounded(stream)
        .then(async (raw) => {
          if (!raw || stream.sizeExceeded) return callback(smtpError('Message exceeds fixed maximum message size', 552));
          const message = storedMessage(options.ctx, raw, session);
          await write(message);
          callback(null, `Stored as ${message.row.id}`);
        })
        // A database hiccup is the sink's problem, not the message's: the sender retries (451).
        .catch((err: unknown) => {
          options.onError?.(err instanceof Error ? err : new Error(String(err)));
          callback(smtpError('Could not store the message, try again later', 451));
        });
    },
  });
  server.on('error', (err) => options.onError?.(err));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
