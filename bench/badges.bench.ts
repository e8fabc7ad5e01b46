/**
 * Bulk badge PDF for 1,000 registered participants through the real back-office route on a
 * loopback listener (issue 7 target: under 20 s). The first download signs every participant's
 * QR code for the first time (key pair and QR rows made on first use); the second one reads them.
 * Run: npx tsx bench/badges.bench.ts   (PostgreSQL: DATABASE_URL=postgres://... npx tsx bench/badges.bench.ts)
 */
import { cpus, loadavg } from 'node:os';
import { buildApp } from '../src/app.js';
import { sessionPolicy } from '../src/http/staff-session.js';
import { signIn } from '../src/modules/staff/index.js';
import { BENCH_PASSWORD, ctx, machine, seedEvent } from './seed.js';

const BADGES = Number(process.env.BENCH_BADGES ?? 1_000);
// seedEvent registers one participant in four: the other three are skipped by the bulk export.
const seeded = await seedEvent(BADGES * 4);
const app = await buildApp({ config: seeded.config, db: seeded.handle.db, dialect: seeded.handle.dialect });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const session = await signIn(seeded.handle.db, ctx, { email: seeded.ownerEmail, password: BENCH_PASSWORD, ip: '127.0.0.1', userAgent: 'bench' }, sessionPolicy(app));
if (!session) throw new Error('bench sign-in failed');
const url = `http://127.0.0.1:${port}/admin/o/${seeded.orgId}/events/${seeded.eventId}/badges.pdf`;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function download(label: string) {
  const rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;
  const load = loadavg()[0]!;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie: `tessera_staff=${session!.token}` } });
  if (response.status !== 200) throw new Error(`badges.pdf answered ${response.status}: ${await response.text()}`);
  let firstByte = 0;
  let bytes = 0;
  let tail = '';
  let pages = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!firstByte) firstByte = performance.now() - started;
    bytes += chunk.length;
    // Page objects are written uncompressed ("/Type /Page" not followed by "s"); count them across chunk edges.
    const text = tail + Buffer.from(chunk).toString('latin1');
    pages += (text.match(/\/Type \/Page(?!s)/g) ?? []).length;
    tail = text.slice(-16).replace(/\/Type \/Page(?!s)[\s\S]*$/, '');
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    run: label,
    badges: Number(response.headers.get('x-badge-count')),
    skipped: Number(response.headers.get('x-badges-skipped')),
    pages,
    seconds: +seconds.toFixed(2),
    // Server and client share this process: CPU time is the figure the machine's load does not inflate.
    cpu_seconds: +((used.user + used.system) / 1e6).toFixed(2),
    badges_per_second: Math.round(pages / seconds),
    first_byte_ms: Math.round(firstByte),
    megabytes: +(bytes / 1e6).toFixed(2),
    rss_mb: { before: Math.round(rssBefore / 1e6), peak: Math.round(peakRss / 1e6) },
    load_average_1m: +load.toFixed(2),
  };
}

const cold = await download('first download (QR codes signed for the first time)');
const warm = await download('second download');
clearInterval(sampler);
console.log(
  JSON.stringify(
    { bench: 'badges', dialect: seeded.handle.dialect, participants: BADGES * 4, machine: `${machine()}, ${cpus().length} cores`, target: 'under 20 s', runs: [cold, warm] },
    null,
    2,
  ),
);
await app.close();
await seeded.handle.close();
