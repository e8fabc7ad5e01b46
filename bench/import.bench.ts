/**
 * CSV import benchmark: a 100,000-row file with 10 custom fields through the real import service
 * (upload to disk, dry run, import), then a re-import of the same file with the update policy and
 * an export of every participant. Prints time, rows/s and the process's peak RSS after each step.
 *
 *   npx tsx bench/import.bench.ts                 SQLite in a temporary data directory
 *   DATABASE_URL=postgres://... npx tsx bench/import.bench.ts
 *                                                 PostgreSQL: a throwaway database on that server
 *   BENCH_ROWS=20000 npx tsx bench/import.bench.ts
 *
 * Other knobs: BENCH_POLICIES=skip (only the first pass), BENCH_EXPORT=no, BENCH_CSV_OUT=path (keep
 * the generated file), BENCH_MEM=1 (print heap and RSS every 500 ms), BENCH_STATUS=registered (a
 * status column with that value in every row: registered rows draw an access code each, so
 * BENCH_STATUS=imported against BENCH_STATUS=registered shows what codes add to an import).
 *
 * Targets (issue): import of 100,000 rows in at most 5 s on SQLite and 10 s on PostgreSQL on a
 * 2-core machine, peak RSS at most 250 MB.
 */
import { copyFileSync, createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { connect } from '../src/db/connection.js';
import type { Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { systemClock } from '../src/lib/clock.js';
import { newId } from '../src/lib/ids.js';
import { cryptoRandom } from '../src/lib/random.js';
import type { Actor } from '../src/lib/context.js';
import { createCustomField, type CustomFieldInput } from '../src/modules/custom-fields/index.js';
import { createEvent } from '../src/modules/events/index.js';
import { checkImport, exportParticipants, previewImport, receiveUpload, runImport, type ImportSettings } from '../src/modules/imports/index.js';
import { listCustomFields } from '../src/modules/custom-fields/index.js';
import { createOrganisation } from '../src/modules/organisations/index.js';
// As in every Tessera process: what hooks into registration (access codes) registers when it loads.
import '../src/modules/capabilities.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
// The second pass finds every person already there: the update policy rewrites them all.
const POLICIES = (process.env.BENCH_POLICIES ?? 'skip,update').split(',').filter(Boolean) as Array<'skip' | 'update'>;
const STATUS = process.env.BENCH_STATUS ?? '';
const ctx = { clock: systemClock, random: cryptoRandom, keys: { hmac: [randomBytes(32).toString('base64')], encryption: [randomBytes(32).toString('base64')] } } as const;
const actor: Actor = { type: 'cli', id: null, label: 'bench', ip: null };

const FIELDS: CustomFieldInput[] = [
  { key: 'company', label: 'Company', type: 'text' },
  { key: 'job_title', label: 'Job title', type: 'text' },
  { key: 'country', label: 'Country', type: 'country' },
  { key: 'phone', label: 'Phone', type: 'phone' },
  { key: 'diet', label: 'Diet', type: 'single_choice', options: ['none', 'vegetarian', 'vegan', 'halal', 'kosher'] },
  { key: 'topics', label: 'Topics', type: 'multiple_choice', options: ['ai', 'security', 'cloud', 'data', 'web', 'mobile'] },
  { key: 'arrival', label: 'Arrival', type: 'date' },
  { key: 'newsletter', label: 'Newsletter', type: 'checkbox' },
  { key: 'assistant_email', label: 'Assistant email', type: 'email' },
  { key: 'notes', label: 'Notes', type: 'long_text' },
];

const FIRST = ['Anna', 'Björn', 'Chloé', 'Dmitri', 'Élodie', 'Fatima', 'György', 'Hiroshi', 'Inès', 'José'];
const LAST = ['Müller', 'Dubois', 'García', 'Nowak', "O'Brien", 'Rossi', 'Søndergaard', 'Yılmaz', 'Smith', 'Kowalski'];
const COUNTRIES = ['FR', 'DE', 'ES', 'IT', 'GB', 'US', 'NL', 'BE', 'CH', 'PL'];

/** One row; every 1,000th has a bad email so the error path is exercised too. */
function row(i: number): string[] {
  const topics = ['ai', 'security', 'cloud', 'data', 'web', 'mobile'].filter((_, k) => (i >> k) & 1).join('|');
  return [
    i % 1000 === 999 ? `not-an-email-${i}` : `person${i}@example${i % 97}.org`,
    FIRST[i % 10]!,
    LAST[(i * 7) % 10]!,
    `Company ${i % 5000}, Inc.`,
    `Engineer "level ${i % 5}"`,
    COUNTRIES[i % 10]!,
    `+33 1 ${String(10000000 + i).slice(0, 8)}`,
    ['none', 'vegetarian', 'vegan', 'halal', 'kosher'][i % 5]!,
    topics,
    `2026-06-${String((i % 28) + 1).padStart(2, '0')}`,
    i % 2 ? 'yes' : 'no',
    `assistant${i}@example.org`,
    i % 10 === 0 ? `Arrives late;\nneeds a parking spot near hall ${i % 7}` : '',
    ...(STATUS ? [STATUS] : []),
  ];
}

function quote(cell: string): string {
  return /[",;\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

async function writeCsv(path: string): Promise<void> {
  const header = ['email', 'first_name', 'last_name', ...FIELDS.map((f) => f.key), ...(STATUS ? ['status'] : [])];
  async function* lines() {
    yield `\uFEFF${header.join(',')}\r\n`;
    let chunk = '';
    for (let i = 0; i < ROWS; i++) {
      chunk += `${row(i).map(quote).join(',')}\r\n`;
      if (chunk.length > 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk;
  }
  await pipeline(lines, createWriteStream(path));
}

function rssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function timed<T>(label: string, rows: number, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const rate = Math.round(rows / seconds).toLocaleString('en');
  console.log(
    `${label.padEnd(26)} ${seconds.toFixed(2).padStart(6)} s  ${rate.padStart(9)} rows/s  (cpu ${cpuSeconds.toFixed(2)} s)  peak RSS ${rssMb()} MB`,
  );
  return result;
}

async function throwawayDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tessera_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const drop = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  };
  return { url: target.toString(), drop };
}

function sampleMemory(): void {
  const mb = (n: number) => Math.round(n / 1048576);
  setInterval(() => {
    const m = process.memoryUsage();
    console.log(`   rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, external ${mb(m.external)} MB`);
  }, 500).unref();
}

async function seed(db: Kysely<Database>) {
  // A staff row without a real password hash: scrypt would take 32 MB that the import never uses.
  const user = { id: newId(ctx.clock, ctx.random) };
  const at = new Date().toISOString();
  await db
    .insertInto('staff_users')
    .values({ id: user.id, email: 'bench@example.org', email_key: 'bench@example.org', name: 'Bench', password_hash: 'none', failed_logins: 0, locked_until: null, disabled_at: null, created_at: at, updated_at: at })
    .execute();
  const org = await createOrganisation(db, ctx, actor, { name: 'Bench', ownerUserId: user.id });
  const event = await createEvent(db, ctx, actor, org.id, { name: 'Bench event', startsAt: '2026-09-01T08:00:00Z', endsAt: '2026-09-02T18:00:00Z', timeZone: 'Europe/Paris' });
  for (const field of FIELDS) await createCustomField(db, ctx, actor, org.id, event.id, field);
  return { orgId: org.id, eventId: event.id, staffId: user.id, fields: await listCustomFields(db, org.id, event.id) };
}

async function main(): Promise<void> {
  if (process.env.BENCH_MEM) sampleMemory();
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const server = process.env.DATABASE_URL ? await throwawayDatabase(process.env.DATABASE_URL) : null;
  const handle = connect({ databaseUrl: server?.url ?? null, dataDir });
  const settings: ImportSettings = { dataDir, maxBytes: 1024 * 1024 * 1024, dialect: handle.dialect };
  try {
    await migrateToLatest(handle.db);
    const { fields, ...target } = await seed(handle.db);
    const csv = join(dataDir, 'bench.csv');
    console.log(`Tessera import benchmark: ${ROWS.toLocaleString('en')} rows x ${FIELDS.length} custom fields on ${handle.dialect}, node ${process.version}`);
    console.log(`baseline                   peak RSS ${rssMb()} MB (runtime, modules, migrations)`);
    await timed('generate CSV', ROWS, () => writeCsv(csv));
    if (process.env.BENCH_CSV_OUT) copyFileSync(csv, process.env.BENCH_CSV_OUT);

    for (const policy of POLICIES) {
      const upload = await timed(`upload (${policy})`, ROWS, () =>
        receiveUpload(handle.db, ctx, actor, settings, target, { fileName: 'bench.csv', stream: createReadStream(csv), truncated: () => false }),
      );
      const preview = await previewImport(settings, upload, fields);
      const check = await timed(`dry run (${policy})`, ROWS, () => checkImport(handle.db, ctx, settings, upload, { columns: preview.columns, policy }));
      const checked = { ...upload, mapping: { delimiter: preview.delimiter, columns: preview.columns }, existingPolicy: policy, status: 'checked' as const };
      const done = await timed(`import (${policy})`, ROWS, () => runImport(handle.db, ctx, actor, settings, checked));
      const codes = await handle.db.selectFrom('access_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', target.eventId).executeTakeFirst();
      console.log(`  dry run: ${check.valid} valid, ${check.invalid} bad, ${check.existing} existing; import: ${done.created} created, ${done.updated} updated, ${done.skipped} skipped; ${Number(codes?.n ?? 0)} access codes`);
    }

    if (process.env.BENCH_EXPORT === 'no') return;
    let bytes = 0;
    const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => ((bytes += chunk.length), cb()) });
    await timed('export all participants', ROWS, async () => {
      const result = await exportParticipants(handle.db, handle.dialect, ctx, actor, target.orgId, target.eventId, {});
      await pipeline(result.stream, sink);
    });
    console.log(`  export: ${(bytes / 1024 / 1024).toFixed(1)} MB of CSV`);
  } finally {
    await handle.close();
    await server?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
