import { buildApp } from './app.js';
import { loadConfig, serverKeys, type Config } from './config.js';
import type { FastifyInstance } from 'fastify';
import { connect, type DbHandle } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { cryptoRandom } from './lib/random.js';
import { systemClock } from './lib/clock.js';
import { issueSetupToken } from './modules/setup/index.js';
import { startMailSink, type MailSink } from './modules/mail-transport/index.js';
import { startMailDelivery } from './jobs/mail-delivery.js';
import { startCampaignScheduler } from './jobs/campaign-scheduler.js';

/**
 * Starts Tessera: migrate, listen, and on a fresh install print the one-time setup link. The link
 * goes to stdout for the operator who started the process, never through the structured logger.
 */
export async function startServer(config: Readonly<Config> = loadConfig()) {
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  const handle = connect({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onPoolError: (err) => app?.log.warn({ err }, 'database connection dropped'),
  });
  await migrateToLatest(handle.db);
  app = await buildApp({ config, db: handle.db, dialect: handle.dialect });
  const mailSink = await startLocalMailSink(app, handle.db, config);
  await app.listen({ port: config.port, host: config.host });
  const ctx = { clock: systemClock, random: cryptoRandom, keys: serverKeys(config) };
  const delivery = startMailDelivery({ db: handle.db, dialect: handle.dialect, ctx, config, log: app.log, sinkPort: mailSink?.port });
  // Scheduled campaigns start from the database's schedule, so a restart loses none of them.
  const scheduler = startCampaignScheduler({ db: handle.db, dialect: handle.dialect, ctx, log: app.log });

  const token = await issueSetupToken(handle.db, ctx);
  if (token) {
    const link = new URL(`/setup/${token}`, config.publicUrl).toString();
    process.stdout.write(`\nTessera is not set up yet. Open this one-time link within the hour:\n\n  ${link}\n\n`);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app?.log.info({ signal }, 'shutting down');
    await app?.close();
    await scheduler.stop();
    // The batch in progress finishes and is recorded before the sink and the database go.
    await delivery.stop();
    await mailSink?.close();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return { app, handle, mailSink, delivery, scheduler };
}

/**
 * Without SMTP_URL, mail goes to an SMTP server on loopback that keeps it for the Mailbox page, so
 * a fresh install works end to end. A port already taken (a second Tessera process on this
 * machine running its own sink) is not fatal: mail then goes to that one.
 */
async function startLocalMailSink(app: FastifyInstance, db: DbHandle['db'], config: Readonly<Config>): Promise<MailSink | null> {
  if (config.smtpSinkPort === null) return null;
  const ctx = { clock: systemClock, random: cryptoRandom, keys: serverKeys(config) };
  try {
    const sink = await startMailSink({ db, ctx, port: config.smtpSinkPort, onError: (err) => app.log.warn({ err }, 'mail sink error') });
    app.log.info({ port: sink.port }, 'local mail sink listening on 127.0.0.1 (SMTP_URL is not set): read mail at /admin/mailbox');
    return sink;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    app.log.warn({ port: config.smtpSinkPort }, 'mail sink port in use: another process receives the local mail');
    return null;
  }
}
