/**
 * Access codes under load (issue 5).
 *
 * issue:  issueAccessCodes over 100,000 participants of one event, in chunks of 500, each chunk in
 *         its own transaction (as a bulk registration draws them). Target >= 20,000 codes/s.
 * signin: email + access code sign-in (POST /app/:eventId/code-sign-in: lookup by address,
 *         counted attempt, MAC compare, sign-in row, audit, attendee session, 303) against the
 *         real server on loopback, 50,000 registered participants, concurrency 32; once with
 *         every code right, once with 90 % wrong codes spread over the participants (a walk
 *         through all of them, so no one collects ten failures in a row: locks do not dominate).
 *         Target >= 4,000 sign-ins/s on SQLite on a 2-core machine.
 *
 * The server is bench/personal-links.server.mjs (startBenchServer: from dist/, rebuilt first;
 * BENCH_SERVER=src for tsx), given the bench's keys: codes are drawn here with the real issueAccessCodes and read back
 * from their sealed copies, as the credentials email does, so right attempts can be made. No
 * code is printed. Loopback is exempt from the per-IP limit (TESSERA_RATE_LIMIT_ALLOW) and the
 * global limit is lifted (TESSERA_CODE_SIGNIN_PER_MINUTE; its default, 12,000 a minute, would
 * cap the run at 200/s).
 *
 *   npx tsx bench/access-codes.bench.ts
 *   DATABASE_URL=postgres://... npx tsx bench/access-codes.bench.ts
 *
 * Knobs: BENCH_PHASES (issue,signin), BENCH_RUNS (right,wrong), BENCH_ISSUE (100000), BENCH_PARTICIPANTS (50000),
 * BENCH_SECONDS (10 a run), BENCH_CONNECTIONS (32), BENCH_CPU_PROF=<dir> (server CPU profile).
 * What codes add to a CSV import: bench/import.bench.ts with BENCH_STATUS=imported / registered.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { connect } from '../src/db/connection.js';
import { issueAccessCodes } from '../src/modules/access-codes/index.js';
// The bench reads codes back the way the credentials email does (the module keeps this internal).
import { openCode } from '../src/modules/access-codes/code-keys.js';
import { getParticipantsByIds } from '../src/modules/participants/index.js';
import { startBenchServer } from './bench-server.js';
import { loadFigures } from './load-figures.js';
import { ctx, machine, seedEvent } from './seed.js';

const PHASES = new Set((process.env.BENCH_PHASES ?? 'issue,signin').split(','));
/** BENCH_RUNS=right (for a profile of one run); both runs by default. */
const RUNS = new Set((process.env.BENCH_RUNS ?? 'right,wrong').split(','));
const ISSUE = Number(process.env.BENCH_ISSUE ?? 100_000);
const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 50_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const CHUNK = 500;
const dialect = process.env.DATABASE_URL ? 'postgres' : 'sqlite';
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

type Seeded = Awaited<ReturnType<typeof seedEvent>>;

async function eventIds(seeded: Seeded): Promise<string[]> {
  const rows = await seeded.handle.db.selectFrom('participants').select('id').where('event_id', '=', seeded.eventId).orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** Codes for these participants, a chunk of 500 per transaction; codes/s and CPU seconds. */
async function issueInChunks(seeded: Seeded, ids: readonly string[]) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  let issued = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    issued += await seeded.handle.db.transaction().execute((trx) => issueAccessCodes(trx, ctx, seeded.orgId, seeded.eventId, chunk));
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { issued, seconds: +seconds.toFixed(2), codes_per_s: Math.round(issued / seconds), cpu_s: +((used.user + used.system) / 1e6).toFixed(2), load: load() };
}

async function issuePhase() {
  const seeded = await seedEvent(ISSUE);
  // The seed registers a quarter of them through the participants module, which draws their
  // codes: start from none, so every id below draws one.
  await seeded.handle.db.deleteFrom('access_codes').where('event_id', '=', seeded.eventId).execute();
  const ids = await eventIds(seeded);
  const result = await issueInChunks(seeded, ids);
  await seeded.handle.close();
  return { participants: ids.length, chunk: CHUNK, ...result, target_codes_per_s: 20_000, verdict: result.codes_per_s >= 20_000 ? 'met' : 'missed' };
}

async function signinPhase() {
  const seeded = await seedEvent(PARTICIPANTS);
  await seeded.handle.db.updateTable('participants').set({ status: 'registered' }).where('event_id', '=', seeded.eventId).execute();
  const ids = await eventIds(seeded);
  // A quarter already have codes from the seed; the rest draw theirs here (skipped when present).
  const issued = await issueInChunks(seeded, ids);
  const sealed = new Map(
    (await seeded.handle.db.selectFrom('access_codes').select(['participant_id', 'sealed']).where('event_id', '=', seeded.eventId).execute()).map((r) => [r.participant_id, r.sealed]),
  );
  const people = (await getParticipantsByIds(seeded.handle.db, seeded.orgId, ids)).map((p) => {
    const code = openCode(ctx.keys, p.id, sealed.get(p.id) ?? '');
    if (!code) throw new Error('a seeded code could not be read back');
    return { email: p.email, code };
  });
  await seeded.handle.close();

  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const { child, port } = await startBenchServer(
    {
      TESSERA_DATA_DIR: seeded.config.dataDir,
      TESSERA_RATE_LIMIT_ALLOW: '127.0.0.1',
      TESSERA_CODE_SIGNIN_PER_MINUTE: '100000000',
      BENCH_HMAC_KEY: ctx.keys.hmac[0],
      BENCH_ENCRYPTION_KEY: ctx.keys.encryption[0],
    },
    profile,
  );
  const base = `http://127.0.0.1:${port}`;
  const path = `/app/${seeded.eventId}/code-sign-in`;
  const rssMb = (kind: 'VmRSS' | 'VmHWM') => +(Number(new RegExp(`${kind}:\\s+(\\d+)`).exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024).toFixed(1);

  // One CSRF pair for every POST: the form token is bound to the _csrf cookie, not to a session.
  const page = await fetch(`${base}/app/${seeded.eventId}/sign-in`);
  if (page.status !== 200) throw new Error(`sign-in page answered ${page.status}`);
  const cookie = (page.headers.getSetCookie().find((c) => c.startsWith('_csrf=')) ?? '').split(';')[0]!;
  const token = encodeURIComponent(/name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '');
  const headers = { cookie, 'content-type': 'application/x-www-form-urlencoded' };
  const typed = (code: string) => code.match(/.{1,3}/g)!.join('-');
  // Another character of the alphabet in the last place: well-formed, and wrong.
  const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  const wrong = (code: string) => code.slice(0, -1) + ALPHABET[(ALPHABET.indexOf(code.slice(-1)) + 1) % ALPHABET.length];
  const body = (i: number, right: boolean) => {
    const p = people[i % people.length]!;
    return `_csrf=${token}&email=${encodeURIComponent(p.email)}&code=${typed(right ? p.code : wrong(p.code))}`;
  };
  for (const [right, expected] of [[false, 401], [true, 303]] as const) {
    const answer = await fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers, body: body(0, right) });
    if (answer.status !== expected) throw new Error(`a ${right ? 'right' : 'wrong'} code answered ${answer.status}, not ${expected}`);
  }

  // The server's CPU seconds (utime + stime, in clock ticks of 1/100 s): on a shared, loaded
  // machine the CPU a request costs says more than the requests a second it got.
  const serverCpu = () => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };

  async function run(name: string, pick: () => string, seconds = SECONDS) {
    const cpuBefore = serverCpu();
    const result = await autocannon({ url: base, connections: CONNECTIONS, duration: seconds, requests: [{ setupRequest: (req) => ({ ...req, method: 'POST', path, headers, body: pick() }) }] });
    const cpu = serverCpu() - cpuBefore;
    return {
      run: name,
      ...loadFigures(result),
      server_cpu_ms_per_request: +((cpu * 1000) / Math.max(1, result.requests.total)).toFixed(3),
      requests_per_server_cpu_s: Math.round(result.requests.total / Math.max(0.01, cpu)),
      server_rss_mb: rssMb('VmRSS'),
      load: load(),
    };
  }

  const skipped = (name: string) => ({ run: name, skipped: true, rps: 0 });
  let k = 1;
  // Both paths compiled and warm before anything is measured (a cold server spends the first
  // seconds in the JIT); the warm-up's participants are signed in once more, harmlessly.
  await run('warm-up', () => body(k++, k % 2 === 0), 3);
  const allRight = RUNS.has('right') ? await run('all codes right', () => body(k++, true)) : skipped('all codes right');
  // 90 % wrong, drawn from a fixed sequence so runs compare; the walk goes on through everyone.
  let seed = 0x9e3779b9;
  let sentWrong = 0;
  const mostlyWrong = !RUNS.has('wrong') ? skipped('90 % wrong codes') : await run('90 % wrong codes', () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const right = (seed >>> 0) % 10 === 0;
    if (!right) sentWrong += 1;
    return body(k++, right);
  });

  const after = connect({ databaseUrl: seeded.config.databaseUrl, dataDir: seeded.config.dataDir });
  const now = new Date().toISOString();
  const locked = await after.db.selectFrom('access_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', seeded.eventId).where('locked_until', '>', now).executeTakeFirst();
  const most = await after.db.selectFrom('access_codes').select((eb) => eb.fn.max('failures').as('n')).where('event_id', '=', seeded.eventId).executeTakeFirst();
  await after.close();
  const peak = rssMb('VmHWM');
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return {
    server: process.env.BENCH_SERVER === 'src' ? 'sources through tsx' : 'dist/ with node',
    participants: people.length,
    codes_drawn_for_seed: issued,
    connections: CONNECTIONS,
    seconds_per_run: SECONDS,
    runs: [allRight, mostlyWrong],
    wrong_attempts_sent: sentWrong,
    locked_after: Number(locked?.n ?? 0),
    most_failures_in_a_row: Number(most?.n ?? 0),
    server_peak_rss_mb: peak,
    target_signins_per_s: 4000,
    verdict: allRight.rps >= 4000 ? 'met' : 'missed',
  };
}

// Each phase prints as it ends: a later failure keeps the earlier figures.
const header = { bench: 'access-codes', dialect, machine: `${machine()}, ${cpus().length} cores, load at start ${load()}` };
if (PHASES.has('issue')) console.log(JSON.stringify({ ...header, issue: await issuePhase() }, null, 2));
if (PHASES.has('signin')) console.log(JSON.stringify({ ...header, signin: await signinPhase() }, null, 2));
