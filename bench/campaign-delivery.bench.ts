/**
 * Issue 3's campaign benchmark, end to end: 100,000 recipients (participants with 10 custom
 * fields), one invitation template of about 3 KB with merge tags and a generated text part.
 *
 *   1. outbox: the audience read and `enqueueEmails` in one transaction          target <= 5 s
 *   2. render: `renderEmail` for every queued message, nothing else timed        target >= 20,000/s
 *   3. delivery: what `npm start` runs (startMailDelivery: the outbox worker with its defaults and
 *      the pooled nodemailer transport on its own thread) into the local SMTP sink in the same
 *      process, which stores every message, until every row is recorded as sent  target >= 1,500/s
 *      (with the CPU per message split by thread, and on PostgreSQL the server's share)
 *   4. peak RSS of this process over all of it                                   target <= 300 MB
 *
 * The participants are seeded by a child process, so the peak RSS is the campaign's, not the
 * seeding import's.
 *
 *   npx tsx bench/campaign-delivery.bench.ts                     SQLite in a temporary data dir
 *   DATABASE_URL=postgres://postgres@127.0.0.1:55433/postgres npx tsx bench/campaign-delivery.bench.ts
 *                                                                PostgreSQL: a throwaway database
 *   node --max-semi-space-size=8 --import tsx bench/campaign-delivery.bench.ts   with npm start's V8 flag
 *
 * Knobs: BENCH_RECIPIENTS (100000), BENCH_TEXT=written (a hand-written text part instead of the
 * generated one), BENCH_PHASES=outbox,render,delivery, BENCH_WORKER=process (the worker in a
 * process of its own, as a split deployment would run it; then BENCH_WORKER_CONCURRENCY,
 * BENCH_WORKER_BATCH and BENCH_WORKER_CONNECTIONS tune it). Add --expose-gc to start each phase
 * from a collected heap.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { connect, type DbHandle } from '../src/db/connection.js';
import { startMailDelivery } from '../src/jobs/mail-delivery.js';
import { loadBatch } from '../src/jobs/outbox-delivery.js';
import { createCampaign, createTemplate, enqueueEmails, renderEmail, type EmailTemplate, type MergeTagContext } from '../src/modules/emailing/index.js';
import { getEvent } from '../src/modules/events/index.js';
import { startMailSink } from '../src/modules/mail-transport/index.js';
import { getOrganisation } from '../src/modules/organisations/index.js';
import { spawnWorker } from '../test/helpers/outbox-campaign.js';
import type { WorkerProcessMessage } from '../test/helpers/worker-process.js';
import { actor, ctx, machine, seedEvent } from './seed.js';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const PHASES = new Set((process.env.BENCH_PHASES ?? 'outbox,render,delivery').split(','));
const TARGETS = { outboxSeconds: 5, renderPerSecond: 20_000, deliveryPerSecond: 1_500, rssMb: 300 };
// Rendering reads no sealed value here; the merge context only needs keys to exist.
const BENCH_KEYS = { hmac: [randomBytes(32).toString('base64')], encryption: [randomBytes(32).toString('base64')] } as const;

interface Seeded {
  dataDir: string;
  databaseUrl: string | null;
  orgId: string;
  eventId: string;
}

// ---- seeding, in a child process ---------------------------------------------------------------

async function seedOnly(): Promise<void> {
  const { config, handle, orgId, eventId } = await seedEvent(RECIPIENTS);
  await handle.close();
  const seeded: Seeded = { dataDir: config.dataDir, databaseUrl: config.databaseUrl, orgId, eventId };
  process.stdout.write(`${JSON.stringify(seeded)}\n`);
}

function seedInChild(databaseUrl: string | null): Seeded {
  const env = { ...process.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--seed'], { encoding: 'utf8', env, maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`seeding failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Seeded;
}

/** A database of its own on the PostgreSQL server, dropped afterwards (100,000 stored emails). */
async function throwawayDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tessera_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

// ---- the campaign --------------------------------------------------------------------------------

const PARAGRAPH =
  '<p style="margin:0 0 12px;font:14px/1.5 Helvetica,Arial,sans-serif;color:#1f2937">Two days of talks, workshops and meetings with the people who build the things you use every day.</p>';

function invitation(publicUrl: URL) {
  const site = new URL('/', publicUrl).toString();
  return {
    type: 'invitation' as const,
    name: 'Invitation',
    subject: '{{ first_name }}, you are invited to {{ event_name }}',
    html: `<!doctype html><html><body style="background:#f3f4f6;padding:24px">
<table role="presentation" width="600" style="margin:0 auto;background:#fff;border-radius:8px"><tr><td style="padding:32px">
<h1 style="font:600 22px Helvetica,Arial,sans-serif">Dear {{ full_name }},</h1>
<p>{{ organisation_name }} is delighted to invite you to <strong>{{ event_name }}</strong>, from {{ event_start }} to {{ event_end }}.</p>
${PARAGRAPH.repeat(8)}
<p>We have you down as {{ fields.job_title }} at {{ fields.company }}{% if fields.diet != "none" %}, with a {{ fields.diet }} menu{% endif %}.</p>
<p><a href="${site}" style="display:inline-block;padding:12px 20px;background:#1d4ed8;color:#fff;border-radius:6px">See the programme</a></p>
<p style="font-size:12px;color:#6b7280">This invitation was sent to {{ user_email }}.</p>
</td></tr></table></body></html>`,
    text:
      process.env.BENCH_TEXT === 'written'
        ? 'Dear {{ full_name }},\n\n{{ organisation_name }} invites you to {{ event_name }}, from {{ event_start }}.\n\nProgramme: ' + site + '\n'
        : null,
  };
}

/** The process's high-water mark since it started. */
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/**
 * The highest resident set within one phase: sampled by a timer and by the phases' own loops
 * (rendering seldom yields to timers). With --expose-gc, each phase starts from a collected heap.
 */
const phase = {
  peak: 0,
  sample() {
    phase.peak = Math.max(phase.peak, process.memoryUsage.rss());
  },
  begin() {
    globalThis.gc?.();
    phase.peak = 0;
    phase.sample();
  },
  peakMb: () => Math.round(phase.peak / 1024 / 1024),
};
setInterval(phase.sample, 50).unref();
const seconds = (since: number) => (performance.now() - since) / 1000;

/** The campaign the messages belong to (a draft: the outbox is written here, not by startCampaign). */
async function draftCampaign(handle: DbHandle, seeded: Seeded, template: EmailTemplate): Promise<string> {
  const audience = { ids: [], statuses: [], fields: {}, q: '' };
  return (await createCampaign(handle.db, ctx, actor, seeded.orgId, seeded.eventId, { name: 'Invitation', templateId: template.id, audience })).id;
}

async function createOutbox(handle: DbHandle, seeded: Seeded, template: EmailTemplate, campaignId: string) {
  const start = performance.now();
  const result = await handle.db.transaction().execute(async (trx) => {
    const audience = await trx.selectFrom('participants').select(['id', 'email', 'first_name', 'last_name']).where('event_id', '=', seeded.eventId).orderBy('id').execute();
    const messages = audience.map((p) => ({ recipient: { kind: 'participant' as const, id: p.id, email: p.email, name: `${p.first_name} ${p.last_name}` } }));
    return enqueueEmails(trx, ctx, { orgId: seeded.orgId, eventId: seeded.eventId, campaignId, templateId: template.id, category: 'campaign', messages });
  });
  if (result.queued !== RECIPIENTS) throw new Error(`expected ${RECIPIENTS} queued messages, got ${JSON.stringify(result)}`);
  return { seconds: seconds(start) };
}

/** renderEmail for every queued message, recipients loaded per 500 as the worker does; only rendering is timed. */
async function renderAll(handle: DbHandle, seeded: Seeded, template: EmailTemplate, publicUrl: URL) {
  const organisation = await getOrganisation(handle.db, seeded.orgId);
  const event = await getEvent(handle.db, seeded.orgId, seeded.eventId);
  let rendered = 0;
  let renderMs = 0;
  let cpuMs = 0;
  let bytes = 0;
  const start = performance.now();
  for (let after = ''; ; ) {
    const rows = await handle.db.selectFrom('outbox').selectAll().where('event_id', '=', seeded.eventId).where('id', '>', after).orderBy('id').limit(500).execute();
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    const batch = await loadBatch(handle.db, rows);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const row of rows) {
      const recipient = batch.recipients.get(`${row.org_id}:${row.recipient_kind}:${row.recipient_id}`)!;
      const m: MergeTagContext = {
        db: handle.db, ctx, publicUrl, keys: BENCH_KEYS, mode: 'send', orgId: row.org_id, organisation: { id: organisation.id, name: organisation.name },
        event, template: { id: template.id, type: template.type }, recipient, outboxId: row.id, data: {},
      };
      const email = await renderEmail(template, m);
      bytes += email.html.length + email.text.length;
      rendered += 1;
    }
    renderMs += performance.now() - t0;
    phase.sample();
    const cpu = process.cpuUsage(cpu0);
    cpuMs += (cpu.user + cpu.system) / 1000;
  }
  return {
    rendered,
    perSecond: Math.round(rendered / (renderMs / 1000)),
    // Messages per second of CPU: what an idle core would do, whatever else the machine runs.
    perCpuSecond: Math.round(rendered / (cpuMs / 1000)),
    withLoading: seconds(start),
    averageBytes: Math.round(bytes / rendered),
  };
}

/** Through the campaign's (campaign_id, status) index: cheap enough to ask twice a second. */
async function countPending(handle: DbHandle, campaignId: string): Promise<number> {
  const row = await handle.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('status', 'in', ['queued', 'sending'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The worker: by default what `npm start` runs without SMTP_URL (startMailDelivery and the sink
 * in this one process); BENCH_WORKER=process runs it in a process of its own
 * (test/helpers/worker-process.ts, the same worker and transport), as a split deployment would.
 */
async function startWorker(handle: DbHandle, config: ReturnType<typeof loadConfig>, sinkPort: number) {
  if (process.env.BENCH_WORKER === 'process') {
    const db = config.databaseUrl ?? join(config.dataDir, 'tessera.sqlite');
    const tuning = { batchSize: Number(process.env.BENCH_WORKER_BATCH ?? 50), concurrency: Number(process.env.BENCH_WORKER_CONCURRENCY ?? 8), connections: Number(process.env.BENCH_WORKER_CONNECTIONS ?? 5) };
    const child = spawnWorker({ db, smtpPort: sinkPort, workerId: 'bench-worker', pollMs: 1_000, ...tuning });
    await child.ready;
    return { where: 'own process', stop: () => child.stop() };
  }
  const log = { info: () => {}, warn: (o: object, m: string) => console.warn(m, o), error: (o: object, m: string) => console.error(m, o) };
  const delivery = startMailDelivery({ db: handle.db, dialect: handle.dialect, ctx, config, log, sinkPort });
  return { where: 'same process as the sink (npm start)', stop: async () => (await delivery.stop(), {} as WorkerProcessMessage) };
}

/** CPU milliseconds of a Linux process or thread from /proc (utime + stime, in clock ticks of 10 ms). */
function procCpuMs(path: string): number {
  try {
    const stat = readFileSync(`${path}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0; // gone meanwhile
  }
}

/** CPU milliseconds per thread of this process, by thread id (empty where there is no /proc). */
function threadCpu(): Map<string, number> {
  try {
    return new Map(readdirSync('/proc/self/task').map((tid) => [tid, procCpuMs(`/proc/self/task/${tid}`)]));
  } catch {
    return new Map();
  }
}

/** The PostgreSQL server processes serving this database (the bench's own pool), and their CPU. */
async function backendCpu(handle: DbHandle): Promise<number> {
  if (handle.dialect !== 'postgres') return 0;
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(handle.db);
  return rows.reduce((sum, row) => sum + procCpuMs(`/proc/${row.pid}`), 0);
}

/**
 * Where the CPU went, per message: this process's main thread (worker, sink, database client),
 * the threads started during delivery (the mail transport's), V8's and libuv's helper threads,
 * and on PostgreSQL the server processes of this database (same machine, loopback).
 */
async function cpuSplit(handle: DbHandle, since: { threads: Map<string, number>; backends: number }) {
  const threads = threadCpu();
  let main = 0;
  const started: number[] = [];
  let helpers = 0;
  for (const [tid, ms] of threads) {
    const used = ms - (since.threads.get(tid) ?? 0);
    if (tid === String(process.pid)) main += used;
    else if (since.threads.has(tid)) helpers += used;
    else started.push(used);
  }
  const perMessage = (ms: number) => +(ms / RECIPIENTS).toFixed(3);
  return {
    main_thread: perMessage(main),
    threads_started_for_delivery: started.map(perMessage),
    helper_threads: perMessage(helpers),
    ...(handle.dialect === 'postgres' ? { postgres_server: perMessage((await backendCpu(handle)) - since.backends) } : {}),
  };
}

async function deliverAll(handle: DbHandle, campaignId: string, config: ReturnType<typeof loadConfig>) {
  const sink = await startMailSink({ db: handle.db, ctx, port: 0, onError: (err) => console.error('sink', err) });
  // Timed from the moment the worker polls (a worker process has loaded by then).
  const worker = await startWorker(handle, config, sink.port);
  const since = { threads: threadCpu(), backends: await backendCpu(handle) };
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  while ((await countPending(handle, campaignId)) > 0) await new Promise((resolve) => setTimeout(resolve, 500));
  const took = seconds(start);
  const cpuUsed = process.cpuUsage(cpu);
  const utilisation = performance.eventLoopUtilization(elu).utilization;
  const split = await cpuSplit(handle, since);
  const child = await worker.stop();
  await sink.close();
  const stored = await handle.db.selectFrom('mailbox_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const failed = await handle.db.selectFrom('outbox').select('last_error').where('status', '!=', 'sent').limit(3).execute();
  return {
    worker: worker.where,
    seconds: took,
    perSecond: Math.round(RECIPIENTS / took),
    cpuMsPerMessage: +(((cpuUsed.user + cpuUsed.system) / 1000 + (child.cpuMs ?? 0)) / RECIPIENTS).toFixed(3),
    workerProcessPeakRssMb: child.peakRssMb,
    eventLoopUtilisation: +utilisation.toFixed(2),
    cpuSplit: split,
    stored: Number(stored.n),
    notSent: failed.map((r) => r.last_error),
  };
}

function benchConfig(seeded: Seeded, databaseUrl: string | null) {
  const key = () => randomBytes(32).toString('base64');
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TESSERA_DATA_DIR: seeded.dataDir,
    DATABASE_URL: databaseUrl ?? '',
    TESSERA_COOKIE_KEY: key(),
    TESSERA_HMAC_KEY: key(),
    TESSERA_ENCRYPTION_KEY: key(),
  });
}

const verdict = (ok: boolean) => (ok ? 'within target' : 'MISSED');

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL ? await throwawayDatabase(process.env.DATABASE_URL) : null;
  const seedStart = performance.now();
  const seeded = seedInChild(server?.url ?? null);
  const config = benchConfig(seeded, server?.url ?? null);
  const handle = connect({ databaseUrl: config.databaseUrl, dataDir: seeded.dataDir });
  const report: Record<string, unknown> = { bench: 'campaign-delivery', machine: machine(), database: handle.dialect, recipients: RECIPIENTS, seeding_seconds: +seconds(seedStart).toFixed(1) };
  try {
    report.baseline_rss_mb = rssMb();
    const template = await createTemplate(handle.db, ctx, actor, seeded.orgId, seeded.eventId, invitation(config.publicUrl), { publicUrl: config.publicUrl });
    report.text_part = template.text === null ? 'generated from the HTML' : 'written';
    const campaignId = await draftCampaign(handle, seeded, template);
    if (PHASES.has('outbox')) {
      phase.begin();
      const outbox = await createOutbox(handle, seeded, template, campaignId);
      phase.sample();
      report.outbox = {
        seconds: +outbox.seconds.toFixed(2),
        rows_per_second: Math.round(RECIPIENTS / outbox.seconds),
        target: `<= ${TARGETS.outboxSeconds} s`,
        verdict: verdict(outbox.seconds <= TARGETS.outboxSeconds),
        rss_mb_in_phase: phase.peakMb(),
      };
    }
    if (PHASES.has('render')) {
      phase.begin();
      const render = await renderAll(handle, seeded, template, config.publicUrl);
      report.render = {
        messages_per_second: render.perSecond,
        messages_per_cpu_second: render.perCpuSecond,
        with_recipient_loading_seconds: +render.withLoading.toFixed(2),
        average_body_bytes: render.averageBytes,
        target: `>= ${TARGETS.renderPerSecond}/s`,
        verdict: verdict(render.perSecond >= TARGETS.renderPerSecond),
        rss_mb_in_phase: phase.peakMb(),
      };
    }
    if (PHASES.has('delivery')) {
      phase.begin();
      const delivered = await deliverAll(handle, campaignId, config);
      report.delivery = {
        worker: delivered.worker,
        seconds: +delivered.seconds.toFixed(1),
        messages_per_second: delivered.perSecond,
        cpu_ms_per_message: delivered.cpuMsPerMessage,
        cpu_ms_per_message_by_thread: delivered.cpuSplit,
        event_loop_utilisation: delivered.eventLoopUtilisation,
        stored_by_sink: delivered.stored,
        not_sent: delivered.notSent,
        target: `>= ${TARGETS.deliveryPerSecond}/s`,
        verdict: verdict(delivered.perSecond >= TARGETS.deliveryPerSecond),
        rss_mb_in_phase: phase.peakMb(),
        ...(delivered.workerProcessPeakRssMb ? { worker_process_peak_rss_mb: delivered.workerProcessPeakRssMb } : {}),
      };
    }
    report.peak_rss_mb = rssMb();
    report.rss_verdict = verdict(rssMb() <= TARGETS.rssMb);
  } finally {
    await handle.close();
    await server?.drop();
    rmSync(seeded.dataDir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(report, null, 2));
}

if (process.argv.includes('--seed')) await seedOnly();
else await main();
