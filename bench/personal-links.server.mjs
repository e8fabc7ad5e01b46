/**
 * The server half of bench/personal-links.bench.ts and bench/access-codes.bench.ts: the real app on
 * a loopback port, in a process of its own so its memory is measured alone. Reads the database
 * location from the environment, and the HMAC and encryption keys when the bench gives them (the
 * access-code bench seeds codes under its keys; without the same keys no code would match).
 * Plain JavaScript so that it runs as `npm start` does: with plain node from the built output
 * (dist/, the default; tsx costs ~25 MB and CPU of its own). BENCH_SERVER=src runs the sources
 * instead (the bench then starts it with `--import tsx`, which maps these .js imports to .ts).
 */
import { randomBytes } from 'node:crypto';

const root = process.env.BENCH_SERVER === 'src' ? '../src' : '../dist';
const { loadConfig } = await import(`${root}/config.js`);
const { buildApp } = await import(`${root}/app.js`);
const { connect } = await import(`${root}/db/connection.js`);

const key = () => randomBytes(32).toString('base64');
const config = loadConfig({
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  TESSERA_COOKIE_KEY: key(),
  TESSERA_HMAC_KEY: process.env.BENCH_HMAC_KEY ?? key(),
  TESSERA_ENCRYPTION_KEY: process.env.BENCH_ENCRYPTION_KEY ?? key(),
});
const handle = connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const app = await buildApp({ config, db: handle.db, dialect: handle.dialect });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => handle.close()).then(() => process.exit(0));
});
