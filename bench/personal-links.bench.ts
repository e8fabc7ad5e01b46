/**
 * Personal links under load (issue 4): the landing page (GET /l/<token>) and the redeem
 * (POST /l/<token>: verify + use + audit + attendee session + 303) with 50,000 distinct valid web
 * app links, and bad tokens, at concurrency 32 on loopback. The server runs in its own process
 * (bench/personal-links.server.ts) so its peak RSS is its own.
 * Targets on a 2-core machine: >= 4,000 redeems/s on SQLite with p99 < 25 ms; server memory
 * under load <= 200 MB. Run: npx tsx bench/personal-links.bench.ts
 * (PostgreSQL: DATABASE_URL=postgres://... npx tsx bench/personal-links.bench.ts)
 * BENCH_LINKS (50000), BENCH_SECONDS (10 per phase), BENCH_CONNECTIONS (32), BENCH_SERVER=src
 * (server from the sources through tsx instead of from dist/, which the bench rebuilds first).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { mintCredential } from '../src/modules/credentials/index.js';
import { getParticipantsByIds } from '../src/modules/participants/index.js';
import { loadFigures } from './load-figures.js';
import { ctx, machine, seedEvent } from './seed.js';

const LINKS = Number(process.env.BENCH_LINKS ?? 50_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** BENCH_PHASES=redeem (for a profile of one phase); all three by default. */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'landing,redeem,bad').split(','));

const seeded = await seedEvent(LINKS);
// The web app opens for registered attendees: everyone in this bench is one.
await seeded.handle.db.updateTable('participants').set({ status: 'registered' }).where('event_id', '=', seeded.eventId).execute();
const ids = await seeded.handle.db.selectFrom('participants').select('id').where('event_id', '=', seeded.eventId).execute();
const participants = await getParticipantsByIds(seeded.handle.db, seeded.orgId, ids.map((r) => r.id));
const tokens: string[] = [];
const mintStart = performance.now();
await seeded.handle.db.transaction().execute(async (trx) => {
  for (const p of participants) {
    const minted = await mintCredential(trx, ctx, {
      purpose: 'webapp',
      orgId: seeded.orgId,
      eventId: seeded.eventId,
      subject: { type: 'participant', id: p.id, email: p.email },
      expiresAt: '2099-01-01T00:00:00.000Z',
      singleUse: false,
    });
    tokens.push(minted.token);
  }
});
const mintSeconds = (performance.now() - mintStart) / 1000;
await seeded.handle.close();

// BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops.
const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
// The server runs from the built output, as `npm start` does, rebuilt first (incremental) so it
// is the code of this tree; BENCH_SERVER=src runs the sources through tsx instead.
const fromSrc = process.env.BENCH_SERVER === 'src';
if (!fromSrc) execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
const child = spawn(process.execPath, ['--max-semi-space-size=8', ...profile, ...(fromSrc ? ['--import', 'tsx'] : []), 'bench/personal-links.server.mjs'], {
  // Every request comes from 127.0.0.1: exempt it from per-IP limits, as a load test must be.
  env: { ...process.env, TESSERA_DATA_DIR: seeded.config.dataDir, NODE_ENV: 'test', TESSERA_RATE_LIMIT_ALLOW: '127.0.0.1' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
// A failed run must not leave the server behind.
process.on('exit', () => child.kill('SIGKILL'));
const port = await new Promise<number>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const match = /PORT (\d+)/.exec(out);
    if (match) resolve(Number(match[1]));
  });
  child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});
const base = `http://127.0.0.1:${port}`;

function rssMb(kind: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return +(Number(new RegExp(`${kind}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024).toFixed(1);
}

// One CSRF pair for every POST: the form token is bound to the _csrf cookie, not to a session.
const probe = await fetch(`${base}/l/${tokens[0]}`);
if (probe.status !== 200) throw new Error(`landing answered ${probe.status}`);
const csrfCookie = (probe.headers.getSetCookie().find((c) => c.startsWith('_csrf=')) ?? '').split(';')[0]!;
const csrfToken = /name="_csrf" value="([^"]+)"/.exec(await probe.text())?.[1] ?? '';
const check = await fetch(`${base}/l/${tokens[1]}`, { method: 'POST', redirect: 'manual', headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(csrfToken)}` });
if (check.status !== 303) throw new Error(`redeem answered ${check.status}: ${(await check.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 400)}`);

async function run(name: string, options: autocannon.Options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  return {
    phase: name,
    ...loadFigures(result),
    server_rss_mb: rssMb('VmRSS'),
  };
}

let g = 0;
const skipped = (phase: string) => ({ phase, rps: 0, p50_ms: 0, p99_ms: 0, max_ms: 0, errors: 0, status_codes: {}, server_rss_mb: 0, skipped: true });
const landing = !PHASES.has('landing') ? skipped('landing GET') : await run('landing GET', {
  url: base,
  requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: `/l/${tokens[g++ % tokens.length]}` }) }],
});
let r = 2;
const redeem = !PHASES.has('redeem') ? skipped('redeem POST') : await run('redeem POST', {
  url: base,
  requests: [
    {
      setupRequest: (req) => ({
        ...req,
        method: 'POST',
        path: `/l/${tokens[r++ % tokens.length]}`,
        headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: `_csrf=${encodeURIComponent(csrfToken)}`,
      }),
    },
  ],
});
const redeemedDistinct = Math.min(r - 2, tokens.length);
let b = 0;
const bad = !PHASES.has('bad') ? skipped('bad token GET') : await run('bad token GET', {
  url: base,
  requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: `/l/tsr_app_${String(b++).padStart(39, 'a')}` }) }],
});

console.log(
  JSON.stringify(
    {
      bench: 'personal-links',
      dialect: process.env.DATABASE_URL ? 'postgres' : 'sqlite',
      machine: `${machine()}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      links: LINKS,
      mint_seconds: +mintSeconds.toFixed(1),
      connections: CONNECTIONS,
      seconds_per_phase: SECONDS,
      phases: [landing, redeem, bad],
      redeem_distinct_links: redeemedDistinct,
      server_peak_rss_mb: rssMb('VmHWM'),
      targets: { redeem_rps: 4000, redeem_p99_ms: 25, server_rss_mb: 200 },
      verdict: {
        redeem_rps: redeem.rps >= 4000 ? 'met' : 'missed',
        redeem_p99: redeem.p99_ms < 25 ? 'met' : 'missed',
        memory: rssMb('VmHWM') <= 200 ? 'met' : 'missed',
      },
    },
    null,
    2,
  ),
);
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
