import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

export interface CapturedMail {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

export interface ScriptedSmtp {
  port: number;
  url: string;
  /** Every message the server accepted, with its envelope. */
  received: CapturedMail[];
  /** Cuts the client's connection for this session, as a crashing relay would. */
  dropConnection(session: SMTPServerSession): void;
  close(): Promise<void>;
}

/** An SMTP error reply: smtp-server answers with err.responseCode and err.message. */
export function smtpReply(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * A real SMTP server in-process (smtp-server) whose answers a test scripts through the usual
 * handlers. Without onData it accepts and captures every message. Plain SMTP without AUTH unless
 * the options say otherwise.
 */
export async function startScriptedSmtp(options: Partial<SMTPServerOptions> = {}): Promise<ScriptedSmtp> {
  const received: CapturedMail[] = [];
  const sockets = new Set<Socket>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 200,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        received.push({ mailFrom: mailFrom ? mailFrom.address : '', rcptTo: rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        callback(null, 'Captured');
      });
    },
    ...options,
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address !== 'object') throw new Error('no port');
  return {
    port: address.port,
    url: `smtp://127.0.0.1:${address.port}`,
    received,
    dropConnection(session) {
      for (const socket of sockets) if (socket.remotePort === session.remotePort) socket.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The header block of a raw message, folded lines joined, one header per entry. */
export function headerLines(raw: Buffer | string): string[] {
  const text = raw.toString();
  const end = text.indexOf('\r\n\r\n');
  return (end === -1 ? text : text.slice(0, end)).replace(/\r\n[ \t]+/g, ' ').split('\r\n');
}
