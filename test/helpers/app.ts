import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig, serverKeys, type Config } from '../../src/config.js';
import type { ServerKeys } from '../../src/lib/keyring.js';
import { connect } from '../../src/db/connection.js';
import type { Database, Dialect } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { manualClock } from '../../src/lib/clock.js';
import { cryptoRandom } from '../../src/lib/random.js';

export type ManualClock = ReturnType<typeof manualClock>;

export interface TestApp {
  app: FastifyInstance;
  db: Kysely<Database>;
  dialect: Dialect;
  clock: ManualClock;
  config: Readonly<Config>;
  ctx: { clock: ManualClock; random: typeof cryptoRandom; keys: ServerKeys };
  dataDir: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  logStream?: NodeJS.WritableStream;
}

/**
 * A real app on a real, empty database: a temporary SQLite file by default, or a fresh PostgreSQL
 * database when TEST_DATABASE_URL points at a server (CI runs the suite both ways).
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const key = () => randomBytes(32).toString('base64');
  const config = loadConfig({
    NODE_ENV: 'test',
    TESSERA_DATA_DIR: dataDir,
    TESSERA_PUBLIC_URL: 'https://tessera.test',
    TESSERA_COOKIE_KEY: key(),
    TESSERA_HMAC_KEY: key(),
    TESSERA_ENCRYPTION_KEY: key(),
    LOG_LEVEL: options.logStream ? 'info' : 'silent',
    ...options.env,
  });
  const adminUrl = process.env.TEST_DATABASE_URL;
  let databaseUrl: string | null = null;
  let dropDatabase = async () => {};
  if (adminUrl) {
    const name = `tessera_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      // pg's pool.end() resolves before its sockets have closed; dropping "with (force)" at once
      // would kill those connections mid-goodbye and surface as an uncaught error in the test.
      for (let i = 0; i < 50; i++) {
        const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if (!rows[0]?.n) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    };
  }
  const handle = connect({ databaseUrl, dataDir, poolSize: 5 });
  await migrateToLatest(handle.db);
  const clock = manualClock(new Date('2026-06-01T08:00:00.000Z'));
  const app = await buildApp({ config, db: handle.db, dialect: handle.dialect, clock, random: cryptoRandom, ...(options.logStream ? { logStream: options.logStream } : {}) });
  await app.ready();
  return {
    app,
    db: handle.db,
    dialect: handle.dialect,
    clock,
    config,
    ctx: { clock, random: cryptoRandom, keys: serverKeys(config) },
    dataDir,
    async close() {
      await app.close();
      await handle.close();
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
