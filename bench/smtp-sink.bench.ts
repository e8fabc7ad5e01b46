/**
 * SMTP delivery into the local sink: 5,000 messages through the pooled transport (5 connections)
 * to the loopback sink, which parses and stores each one, all on one thread as under `npm start`. Issue 3's target for the whole pipeline (render + send + record) is >= 1,500
 * messages/s; this measures the SMTP leg alone. Run: npx tsx bench/smtp-sink.bench.ts
 * (PostgreSQL: DATABASE_URL=postgres://... npx tsx bench/smtp-sink.bench.ts)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createMailTransport, startMailSink, type OutgoingMail } from '../src/modules/mail-transport/index.js';
import { ctx, machine } from './seed.js';

const COUNT = Number(process.env.BENCH_MESSAGES ?? 5000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 100);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 5);

// About the size of a real invitation: a styled HTML body of ~3 KB with a personal link, and its text.
const PARAGRAPH = '<p style="margin:0 0 12px;font:14px/1.5 Helvetica,Arial,sans-serif;color:#1f2937">We are delighted to invite you to Summit 2026, two days of talks and workshops in Paris.</p>';
function message(i: number): OutgoingMail {
  const link = `https://tessera.example/e/summit/app?t=tsr_link_${i.toString(36).padStart(26, 'a')}`;
  return {
    from: 'Acme Events <noreply@tessera.example>',
    to: { email: `person${i}@example${i % 50}.org`, name: `Person ${i}` },
    subject: `Your invitation to Summit 2026, person ${i}`,
    html: `<!doctype html><html><body>${PARAGRAPH.repeat(12)}<p><a href="${link}">Open your personal app</a></p></body></html>`,
    text: `We are delighted to invite you to Summit 2026.\n\nOpen your personal app: ${link}\n`,
    messageId: `<bench-${i}-${process.pid}@tessera.example>`,
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'tessera-smtp-bench-'));
const handle = connect({ databaseUrl: process.env.DATABASE_URL ?? null, dataDir });
await migrateToLatest(handle.db);
const countStored = async () =>
  Number((await handle.db.selectFrom('mailbox_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const sink = await startMailSink({ db: handle.db, ctx, port: 0, onError: (err) => console.error(err) });
const transport = createMailTransport(
  { smtpUrl: null, smtpSinkPort: sink.port, dkim: null, publicUrl: new URL('https://tessera.example') },
  { maxConnections: CONNECTIONS },
);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

/** Sends messages [from, to) keeping IN_FLIGHT sends outstanding, as a worker batch would. */
async function sendRange(from: number, to: number): Promise<number> {
  let next = from;
  let failures = 0;
  const lane = async () => {
    while (next < to) {
      const result = await transport.send(message(next++));
      if (!result.ok) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return failures;
}

await sendRange(0, 200); // warm-up: connections, JIT, statement cache
const storedBefore = await countStored();
const started = performance.now();
const cpuBefore = process.cpuUsage();
const eluBefore = performance.eventLoopUtilization();
const failures = await sendRange(200, 200 + COUNT);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const elu = performance.eventLoopUtilization(eluBefore);
clearInterval(sampler);

const stored = (await countStored()) - storedBefore;
await transport.close();
await sink.close();
await handle.close();
rmSync(dataDir, { recursive: true, force: true });

console.log(
  JSON.stringify(
    {
      bench: 'smtp-sink',
      machine: machine(),
      database: handle.dialect,
      messages: COUNT,
      connections: CONNECTIONS,
      in_flight: IN_FLIGHT,
      seconds: +seconds.toFixed(2),
      messages_per_second: Math.round(COUNT / seconds),
      failures,
      // Less sensitive to other load on the machine than the rate: CPU time per message (all
      // threads), and how busy the event loop was (near 1: CPU-bound on one thread).
      cpu_ms_per_message: +((cpu.user + cpu.system) / 1000 / COUNT).toFixed(3),
      event_loop_utilisation: +elu.utilization.toFixed(2),
      stored,
      peak_rss_mb: +(peakRss / 1024 / 1024).toFixed(1),
    },
    null,
    2,
  ),
);
