/**
 * Participants list search over 100,000 participants, through the real back-office page on a
 * loopback listener. Target (issue 2): p95 <= 50 ms. Run: npx tsx bench/participants-search.bench.ts
 * (PostgreSQL: DATABASE_URL=postgres://... npx tsx bench/participants-search.bench.ts)
 */
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { buildApp } from '../src/app.js';
import { sessionPolicy } from '../src/http/staff-session.js';
import { signIn } from '../src/modules/staff/index.js';
import { BENCH_PASSWORD, COMPANIES, ctx, machine, percentile, seedEvent } from './seed.js';

const COUNT = Number(process.env.BENCH_PARTICIPANTS ?? 100_000);
const seedStart = performance.now();
const seeded = await seedEvent(COUNT);
console.log(`seeded ${COUNT} participants in ${((performance.now() - seedStart) / 1000).toFixed(1)} s (${seeded.handle.dialect})`);

const app = await buildApp({ config: seeded.config, db: seeded.handle.db, dialect: seeded.handle.dialect });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const session = await signIn(seeded.handle.db, ctx, { email: seeded.ownerEmail, password: BENCH_PASSWORD, ip: '127.0.0.1', userAgent: 'bench' }, sessionPolicy(app));
if (!session) throw new Error('bench sign-in failed');
const cookie = `tessera_staff=${session.token}`;
const base = `http://127.0.0.1:${port}/admin/o/${seeded.orgId}/events/${seeded.eventId}/participants`;

const queries = [
  'q=martin',
  'q=person4242',
  'q=acme+12',
  'q=zzzz-no-match',
  'status=registered',
  'status=registered&q=dubois',
  'sort=email&dir=desc',
  'sort=created',
  `q=${encodeURIComponent(COMPANIES[3]!.toLowerCase())}&status=imported`,
  'q=chloe',
];

const probe = await fetch(`${base}?${queries[0]}`, { headers: { cookie, accept: 'text/html' } });
if (probe.status !== 200) throw new Error(`participants page answered ${probe.status}`);

// Sequential requests: each one's latency on an otherwise idle server.
const latencies: number[] = [];
const perQuery = new Map<string, number[]>();
for (let i = 0; i < 400; i++) {
  const query = queries[i % queries.length]!;
  const started = performance.now();
  const response = await fetch(`${base}?${query}`, { headers: { cookie, accept: 'text/html' } });
  await response.text();
  const ms = performance.now() - started;
  latencies.push(ms);
  perQuery.set(query, [...(perQuery.get(query) ?? []), ms]);
}
latencies.sort((a, b) => a - b);
const medians = Object.fromEntries([...perQuery].map(([q, list]) => [q, +percentile(list.sort((a, b) => a - b), 50).toFixed(1)]));

// Throughput under concurrency 10.
let n = 0;
const load = await autocannon({
  url: base,
  connections: 10,
  duration: 10,
  headers: { cookie, accept: 'text/html' },
  requests: [{ setupRequest: (req) => ({ ...req, path: `${new URL(base).pathname}?${queries[n++ % queries.length]}` }) }],
});

console.log(JSON.stringify({
  bench: 'participants-search',
  dialect: seeded.handle.dialect,
  participants: COUNT,
  machine: `${machine()}, ${cpus().length} cores`,
  median_ms_per_query: medians,
  sequential_ms: { p50: +percentile(latencies, 50).toFixed(1), p95: +percentile(latencies, 95).toFixed(1), p99: +percentile(latencies, 99).toFixed(1) },
  concurrency10: { rps: Math.round(load.requests.average), p50_ms: load.latency.p50, p97_5_ms: load.latency.p97_5, p99_ms: load.latency.p99, errors: load.errors, non2xx: load.non2xx },
}, null, 2));
await app.close();
await seeded.handle.close();
