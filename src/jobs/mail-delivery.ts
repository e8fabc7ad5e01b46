import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database, Dialect } from '../db/database.js';
import type { Ctx } from '../lib/context.js';
import { createThreadedMailTransport } from '../modules/mail-transport/index.js';
import { startOutboxWorker, type WorkerLog } from './outbox-worker.js';

export interface MailDeliveryOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  ctx: Ctx;
  config: Readonly<Config>;
  log: WorkerLog;
  /** The local sink's actual port, when this process started one. */
  sinkPort?: number | undefined;
}

// The local sink takes more connections at no cost, and every one more lets the sink's group
// commits and the worker's grouped records cover more messages (less CPU a message); a relay keeps
// nodemailer's usual five. The worker keeps twice as many messages going as there are connections,
// so that connections do not wait while messages are rendered and recorded.
const CONNECTIONS = { sink: 8, relay: 5 };

/**
 * The outbox worker on the configured SMTP relay (or the local sink). Its id is this host and
 * port: stable across restarts, so a restarted process takes its own unfinished claims back at
 * once, and distinct for every app node sharing one PostgreSQL database. The transport runs on a
 * thread of its own (transport-thread.ts), so composing and sending use a second core.
 */
export function startMailDelivery(options: MailDeliveryOptions): { stop(): Promise<void> } {
  const { config } = options;
  const maxConnections = config.smtpUrl ? CONNECTIONS.relay : CONNECTIONS.sink;
  const transport = createThreadedMailTransport(config, { ...(options.sinkPort ? { sinkPort: options.sinkPort } : {}), maxConnections });
  const worker = startOutboxWorker({
    db: options.db,
    dialect: options.dialect,
    ctx: options.ctx,
    transport,
    config,
    workerId: `${hostname()}:${config.port}`,
    log: options.log,
    concurrency: 2 * maxConnections,
  });
  return {
    async stop() {
      await worker.stop();
      await transport.close();
    },
  };
}
