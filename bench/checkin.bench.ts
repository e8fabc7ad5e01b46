/**
 * Online check-in under load (issue 7): 10 scanner devices at once, each posting the codes of its
 * own queue of people, one after the other, as a door steward does (POST
 * /api/v1/events/:id/checkins with a fresh nonce: claim the nonce, verify the Ed25519 code, admit
 * by insert-or-nothing, name and status back). Every code is distinct and valid, so every answer
 * is a real admission; a second pass scans the same codes again (already_checked_in). A plain
 * loop of real HTTP requests on loopback (fetch, keep-alive), so each latency is one device
 * waiting for one answer. Target: p95 under 50 ms.
 *
 * The server is bench/personal-links.server.mjs (from dist/, rebuilt first; BENCH_SERVER=src for
 * tsx). Codes are made here with qrTextFor; checking them online needs only the event's public
 * key, which the server reads from the database.
 * The API key is allow-listed from its per-key rate limit (600 a minute), as a load test must be.
 *
 *   npx tsx bench/checkin.bench.ts
 *   DATABASE_URL=postgres://... npx tsx bench/checkin.bench.ts
 *
 * Knobs: BENCH_PARTICIPANTS (10000), BENCH_DEVICES (10), BENCH_SCANS (4000 per pass).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createApiKey } from '../src/modules/api-keys/index.js';
import { qrTextFor } from '../src/modules/qr-codes/index.js';
import { startBenchServer } from './bench-server.js';
import { actor, ctx, machine, percentile, seedEvent } from './seed.js';

const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 10_000);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 10);
const SCANS = Math.min(Number(process.env.BENCH_SCANS ?? 4_000), PARTICIPANTS);
const dialect = process.env.DATABASE_URL ? 'postgres' : 'sqlite';
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

const seeded = await seedEvent(PARTICIPANTS);
const db = seeded.handle.db;
await db.updateTable('participants').set({ status: 'registered' }).where('event_id', '=', seeded.eventId).execute();
const ids = (await db.selectFrom('participants').select('id').where('event_id', '=', seeded.eventId).orderBy('id').limit(SCANS).execute()).map((r) => r.id);
const codes: string[] = [];
await db.transaction().execute(async (trx) => {
  for (const id of ids) codes.push(await qrTextFor(trx, ctx, ctx.keys, seeded.orgId, seeded.eventId, id));
});
const { apiKey, secret } = await createApiKey(db, ctx, actor, seeded.orgId, { name: 'bench scanners' });
await seeded.handle.close();

const { child, port } = await startBenchServer({
  TESSERA_DATA_DIR: seeded.config.dataDir,
  TESSERA_RATE_LIMIT_ALLOW: `127.0.0.1,api_key:${apiKey.id}`,
});
const url = `http://127.0.0.1:${port}/api/v1/events/${seeded.eventId}/checkins`;
const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };

/** CPU seconds the server process has used (user + system), from /proc: its own cost, whatever the machine's load. */
function serverCpuSeconds(): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

let nonces = 0;
/** One device: its share of the codes, one request at a time; latencies in ms and results seen. */
async function device(n: number, pass: string, latencies: number[], results: Map<string, number>): Promise<void> {
  for (let i = n; i < codes.length; i += DEVICES) {
    const body = JSON.stringify({ code: codes[i], device_id: `bench-${n}`, nonce: `${pass}-${n}-${++nonces}-nonce` });
    const start = performance.now();
    const response = await fetch(url, { method: 'POST', headers, body });
    const answer = (await response.json()) as { result?: string; error?: { code: string } };
    latencies.push(performance.now() - start);
    const key = response.status === 200 ? answer.result! : `http_${response.status}`;
    results.set(key, (results.get(key) ?? 0) + 1);
  }
}

async function pass(name: string) {
  const latencies: number[] = [];
  const results = new Map<string, number>();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const serverCpu = serverCpuSeconds();
  await Promise.all(Array.from({ length: DEVICES }, (_, n) => device(n, name, latencies, results)));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const serverUsed = serverCpuSeconds() - serverCpu;
  latencies.sort((a, b) => a - b);
  return {
    pass: name,
    scans: latencies.length,
    scans_per_s: Math.round(latencies.length / seconds),
    p50_ms: +percentile(latencies, 50).toFixed(1),
    p95_ms: +percentile(latencies, 95).toFixed(1),
    p99_ms: +percentile(latencies, 99).toFixed(1),
    max_ms: +percentile(latencies, 100).toFixed(1),
    results: Object.fromEntries(results),
    server_cpu_ms_per_scan: +((serverUsed * 1000) / latencies.length).toFixed(2),
    client_cpu_s: +((used.user + used.system) / 1e6).toFixed(1),
    load_after: load(),
  };
}

// A short warm-up on codes outside the measured set would change nothing the passes read; the
// first pass includes the server's cold start of the code path, as a door opening does.
const loadBefore = load();
const first = await pass('admit');
const second = await pass('again');
child.kill('SIGTERM');

console.log(
  JSON.stringify(
    {
      bench: 'checkin',
      dialect,
      machine: `${machine()}, ${cpus().length} cores, load before ${loadBefore}`,
      participants: PARTICIPANTS,
      devices: DEVICES,
      passes: [first, second],
      target: { p95_ms: 50 },
      verdict: first.p95_ms < 50 && second.p95_ms < 50 ? 'met' : 'missed',
    },
    null,
    2,
  ),
);
process.exit(0);
