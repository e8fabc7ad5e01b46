import { PostgresAdapter, sql } from 'kysely';
import type { Database, Db } from './database.js';

/**
 * Inserts many rows in one statement. On PostgreSQL the values travel as one array per column
 * through unnest(): a 500-row insert then has 14 parameters instead of 7,000 and the server
 * plans it once, which halved the time of a 100,000-row import's inserts. SQLite takes plain
 * multi-row VALUES (its statements are cached by SQL text).
 */
export async function insertMany<T extends keyof Database & string>(db: Db, table: T, rows: Array<Database[T]>): Promise<void> {
  const first = rows[0];
  if (!first) return;
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    await db.insertInto(table).values(rows as never).execute();
    return;
  }
  const columns = Object.keys(first as object) as Array<keyof Database[T] & string>;
  const arrays = columns.map((column) => {
    const values = rows.map((row) => (row as unknown as Record<string, unknown>)[column] ?? null);
    const numeric = values.some((v) => typeof v === 'number');
    return sql`${values}::${sql.raw(numeric ? 'bigint[]' : 'text[]')}`;
  });
  await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) select * from unnest(${sql.join(arrays)})`.execute(db);
}
