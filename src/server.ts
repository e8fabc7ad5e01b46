import { buildApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { connect } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { cryptoRandom } from './lib/random.js';
import { systemClock } from './lib/clock.js';
import { issueSetupToken } from './modules/setup/index.js';

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
  await app.listen({ port: config.port, host: config.host });

  const token = await issueSetupToken(handle.db, { clock: systemClock, random: cryptoRandom });
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
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return { app, handle };
}
