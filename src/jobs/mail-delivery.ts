import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database, Dialect } from '../db/database.js';
import type { Ctx } from '../lib/context.js';
import { createMailTransport } from '../modules/mail-transport/index.js';
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

/**
 * The outbox worker on the configured SMTP relay (or the local sink). Its id is this host and
 * port: stable across restarts, so a restarted process takes its own unfinished claims back at
 * once, and distinct for every app node sharing one PostgreSQL database.
 */
export function startMailDelivery(options: MailDeliveryOptions): { stop(): Promise<void> } {
  const { config } = options;
  const transport = createMailTransport(config, options.sinkPort ? { sinkPort: options.sinkPort } : {});
  const worker = startOutboxWorker({
    db: options.db,
    dialect: options.dialect,
    ctx: options.ctx,
    transport,
    config,
    workerId: `${hostname()}:${config.port}`,
    log: options.log,
  });
  return {
    async stop() {
      await worker.stop();
      await transport.close();
    },
  };
}
