import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createRequire } from 'node:module';
import type PgModule from 'pg';
import type { Database, Dialect } from './database.js';

export interface DbHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
}

// pg is loaded only when PostgreSQL is used: an embedded install saves 14 MB of resident memory.
function loadPg(): typeof PgModule {
  const pg = createRequire(import.meta.url)('pg') as typeof PgModule;
  // COUNT(*) and bigint come back as strings by default; our numbers fit in a double.
  pg.types.setTypeParser(20, (value) => Number(value));
  return pg;
}

/**
 * Kysely prepares every query afresh; compiling the same SQL again (a 500-row insert in a bulk
 * import, the list page's queries) cost 10 % of an import. Statements are reused by their SQL
 * text, except one that is still being iterated, which gets a fresh one.
 */
function cachedStatements(sqlite: SQLite.Database, size = 200) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const cached = cache.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = sqlite.prepare(sql);
      if (!cached) {
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

export interface ConnectOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** Overrides the SQLite file (":memory:" or a path); tests use a temporary file. */
  sqliteFile?: string;
  poolSize?: number;
  onPoolError?: (err: Error) => void;
}

export function connect(options: ConnectOptions): DbHandle {
  if (options.databaseUrl) {
    const pg = loadPg();
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client dropped by the server (restart, failover) must not crash the process; the
    // pool replaces it and the next query reconnects.
    pool.on('error', (err) => options.onPoolError?.(err));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      close: () => db.destroy(),
      ping: async () => void (await sql`select 1`.execute(db)),
    };
  }
  const file = options.sqliteFile ?? join(options.dataDir, 'tessera.sqlite');
  if (file !== ':memory:') mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -48000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    close: () => db.destroy(),
    ping: async () => void (await sql`select 1`.execute(db)),
  };
}
