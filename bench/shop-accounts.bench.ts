/**
 * Shop accounts under load (issue 6), against the real server on loopback
 * (bench/personal-links.server.mjs through startBenchServer: dist/, rebuilt first; BENCH_SERVER=src
 * for tsx).
 *
 * hash:   one verifyPassword at the production scrypt cost (src/lib/password.ts), alone in this
 *         process, sequentially: wall and CPU milliseconds (the CPU figure is what one sign-in
 *         costs a core whatever the machine's load).
 * signin: POST /shop/<org>/<pos>/sign-in with the right password for validated accounts, a walk
 *         through BENCH_ACCOUNTS of them (the per-account limit, 10 in 15 minutes, is never
 *         reached), concurrency BENCH_SIGNIN_CONNECTIONS. Every account holds the same hash (one hash at
 *         production cost made here: verifying costs the same whatever the salt). Reports sign-ins/s
 *         and the server's CPU seconds over the run, so sign-ins per second per busy core. scrypt
 *         runs on libuv's thread pool (UV_THREADPOOL_SIZE, 4 by default): at most that many at once.
 * verify: BENCH_LINKS contacts, each with an account verification credential minted with the
 *         credentials module as the `verification_link` merge tag mints it (purpose email_verify,
 *         bound to the contact, its exact address and the point of sale); then POST /verify/<token>
 *         once per link with one CSRF cookie+token pair (redeem + contact check + mark validated +
 *         audit, one transaction, 303). Then a "double click" run: other links, each POSTed twice
 *         back to back by the 32 connections; exactly one 303 and one 410 per link is the claim.
 *         Afterwards the database must show every link used once and every contact validated.
 *
 *   npx tsx bench/shop-accounts.bench.ts
 *   DATABASE_URL=postgres://... npx tsx bench/shop-accounts.bench.ts
 *
 * Knobs: BENCH_PHASES (hash,signin,verify), BENCH_ACCOUNTS (2000), BENCH_LINKS (20000),
 * BENCH_DOUBLE (2000 links clicked twice), BENCH_SECONDS (30, the sign-in run; at a few hundred
 * milliseconds a sign-in, 32 connections wait seconds each: shorter runs count next to nothing),
 * BENCH_CONNECTIONS (32, the verify runs), BENCH_SIGNIN_CONNECTIONS (8).
 * No token or password hash is printed.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { canonicalEmail } from '../src/lib/email.js';
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword } from '../src/lib/password.js';
import { createContact, markEmailVerified } from '../src/modules/contacts/index.js';
import { expiryFor, mintCredential } from '../src/modules/credentials/index.js';
import { createPointOfSale, createSalesChannel, shopOf, type Shop } from '../src/modules/shop/index.js';
import { startBenchServer } from './bench-server.js';
import { loadFigures } from './load-figures.js';
import { actor, BENCH_PASSWORD, ctx, machine, percentile, seedEvent } from './seed.js';

const PHASES = new Set((process.env.BENCH_PHASES ?? 'hash,signin,verify').split(','));
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 2_000);
const LINKS = Number(process.env.BENCH_LINKS ?? 20_000);
const DOUBLE = Number(process.env.BENCH_DOUBLE ?? 2_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/**
 * Sign-ins queue on the thread pool: twice its size keeps it full without leaving dozens of
 * half-done requests behind at the end of a run (they would cost CPU in the next one).
 */
const SIGNIN_CONNECTIONS = Number(process.env.BENCH_SIGNIN_CONNECTIONS ?? 8);
const dialect = process.env.DATABASE_URL ? 'postgres' : 'sqlite';
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const FORM = 'application/x-www-form-urlencoded';

type Seeded = Awaited<ReturnType<typeof seedEvent>>;

/** A fresh database with a B2C channel and its running point of sale: the shop. */
async function seedShop(): Promise<{ seeded: Seeded; shop: Shop }> {
  const seeded = await seedEvent(0);
  const db = seeded.handle.db;
  const channel = await createSalesChannel(db, ctx, actor, seeded.orgId, { name: 'Web', kind: 'internet_b2c' });
  const pos = await createPointOfSale(db, ctx, actor, seeded.orgId, { channelId: channel.id, name: 'Bench shop', slug: 'bench', state: 'running' });
  const shop = await shopOf(db, seeded.orgId, pos.id);
  if (!shop) throw new Error('the point of sale is not a shop');
  return { seeded, shop };
}

/** `count` contacts (individuals), created with the contacts module in one transaction. */
async function seedContacts(seeded: Seeded, prefix: string, count: number, passwordHash: string | null, verified: boolean) {
  return seeded.handle.db.transaction().execute(async (trx) => {
    const made = [];
    for (let i = 0; i < count; i++) {
      const email = canonicalEmail(`${prefix}${i}@example${i % 40}.org`)!;
      const contact = await createContact(trx, ctx, actor, seeded.orgId, { email, firstName: 'Bench', lastName: `${prefix}${i}`, kind: 'individual', passwordHash });
      if (verified) await markEmailVerified(trx, ctx, actor, seeded.orgId, contact.id, 'operator');
      made.push(contact);
    }
    return made;
  });
}

async function server(seeded: Seeded) {
  const { child, port } = await startBenchServer({ TESSERA_DATA_DIR: seeded.config.dataDir, TESSERA_RATE_LIMIT_ALLOW: '127.0.0.1' });
  // The server's CPU seconds (utime + stime of all its threads, thread pool included).
  const cpu = () => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  return { base: `http://127.0.0.1:${port}`, cpu, stop };
}

/** One CSRF pair for every POST: the form token is bound to the _csrf cookie, not to a session. */
async function csrfPair(url: string): Promise<{ cookie: string; token: string }> {
  const page = await fetch(url);
  if (page.status !== 200) throw new Error(`${url} answered ${page.status}`);
  const cookie = (page.headers.getSetCookie().find((c) => c.startsWith('_csrf=')) ?? '').split(';')[0]!;
  const token = encodeURIComponent(/name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '');
  return { cookie, token };
}

async function hashPhase() {
  const stored = await hashPassword(BENCH_PASSWORD, ctx.random);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 7; i++) {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    if (!(await verifyPassword(BENCH_PASSWORD, stored))) throw new Error('the password did not verify');
    const used = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => +percentile([...xs].sort((a, b) => a - b), 50).toFixed(1);
  const cpuMs = median(cpu);
  return { scrypt: { ...DEFAULT_SCRYPT_COST, memory_mb: (128 * DEFAULT_SCRYPT_COST.N * DEFAULT_SCRYPT_COST.r) / 2 ** 20 }, verify_wall_ms_median: median(wall), verify_cpu_ms_median: cpuMs, verifies_per_core_s: +(1000 / cpuMs).toFixed(1), load: load() };
}

async function signinPhase() {
  const { seeded, shop } = await seedShop();
  const hash = await hashPassword(BENCH_PASSWORD, ctx.random);
  const accounts = await seedContacts(seeded, 'customer', ACCOUNTS, hash, true);
  await seeded.handle.close();
  const srv = await server(seeded);
  const path = `${shop.path}/sign-in`;
  const { cookie, token } = await csrfPair(`${srv.base}${path}`);
  const headers = { cookie, 'content-type': FORM };
  const password = encodeURIComponent(BENCH_PASSWORD);
  let k = 0;
  const body = () => `_csrf=${token}&email=${encodeURIComponent(accounts[k++ % accounts.length]!.email)}&password=${password}`;
  const first = await fetch(`${srv.base}${path}`, { method: 'POST', redirect: 'manual', headers, body: body() });
  if (first.status !== 303) throw new Error(`a right password answered ${first.status}`);

  async function run(name: string, seconds: number) {
    const [cpu0, t0] = [srv.cpu(), performance.now()];
    const result = await autocannon({ url: srv.base, connections: SIGNIN_CONNECTIONS, duration: seconds, timeout: 60, requests: [{ setupRequest: (req) => ({ ...req, method: 'POST', path, headers, body: body() }) }] });
    const wall = (performance.now() - t0) / 1000;
    const cpu = srv.cpu() - cpu0;
    const signins = (result.statusCodeStats as Record<string, { count: number } | undefined>)['303']?.count ?? 0;
    return {
      run: name,
      ...loadFigures(result),
      signins_per_s: +(signins / wall).toFixed(1),
      server_cores_busy: +(cpu / wall).toFixed(2),
      signins_per_s_per_busy_core: +(signins / Math.max(0.01, cpu)).toFixed(1),
      load: load(),
    };
  }
  await run('warm-up', 8);
  // The warm-up's abandoned requests are still queued: one more waits behind them (the pool is
  // first in, first out), so the measured run starts on an idle server.
  await fetch(`${srv.base}${path}`, { method: 'POST', redirect: 'manual', headers, body: body() });
  const measured = await run('right passwords', SECONDS);
  await srv.stop();
  return { accounts: ACCOUNTS, connections: SIGNIN_CONNECTIONS, seconds: SECONDS, uv_threadpool_size: Number(process.env.UV_THREADPOOL_SIZE ?? 4), ...measured };
}

async function verifyPhase() {
  const { seeded, shop } = await seedShop();
  const contacts = await seedContacts(seeded, 'signup', LINKS + DOUBLE, null, false);
  const mintStart = performance.now();
  // As the verification_link merge tag mints it (customer-mail.ts), minus the outbox message.
  const tokens = await seeded.handle.db.transaction().execute(async (trx) => {
    const out: string[] = [];
    for (const c of contacts) {
      const minted = await mintCredential(trx, ctx, {
        purpose: 'email_verify',
        orgId: seeded.orgId,
        eventId: null,
        subject: { type: 'contact', id: c.id, email: c.email },
        expiresAt: expiryFor({ purpose: 'email_verify', now: ctx.clock.now(), event: null }),
        singleUse: true,
        data: { email_key: canonicalEmail(c.email)!.key, pos_id: shop.pos.id },
      });
      out.push(minted.token);
    }
    return out;
  });
  const mintSeconds = (performance.now() - mintStart) / 1000;
  await seeded.handle.close();

  const srv = await server(seeded);
  const { cookie, token } = await csrfPair(`${srv.base}${shop.path}/sign-in`);
  const headers = { cookie, 'content-type': FORM };
  const body = `_csrf=${token}`;
  const landing = await fetch(`${srv.base}/verify/${tokens[0]}`);
  if (landing.status !== 200) throw new Error(`the landing page answered ${landing.status}`);

  async function run(name: string, list: readonly string[]) {
    let i = 0;
    const [cpu0, t0] = [srv.cpu(), performance.now()];
    const result = await autocannon({
      url: srv.base,
      connections: CONNECTIONS,
      amount: list.length,
      requests: [{ setupRequest: (req) => ({ ...req, method: 'POST', path: `/verify/${list[i++]}`, headers, body }) }],
    });
    const cpu = srv.cpu() - cpu0;
    const wall = (performance.now() - t0) / 1000;
    return {
      run: name,
      requests: result.requests.total,
      seconds: +wall.toFixed(1),
      ...loadFigures(result),
      server_cores_busy: +(cpu / wall).toFixed(2),
      server_cpu_ms_per_request: +((cpu * 1000) / Math.max(1, result.requests.total)).toFixed(2),
      load: load(),
    };
  }
  const once = await run('each link once', tokens.slice(0, LINKS));
  const twice = await run('each link twice, back to back', tokens.slice(LINKS).flatMap((t) => [t, t]));
  await srv.stop();

  const after = await import('../src/db/connection.js').then(({ connect }) => connect({ databaseUrl: seeded.config.databaseUrl, dataDir: seeded.config.dataDir }));
  const count = async (q: Promise<{ n: number | string | bigint } | undefined>) => Number((await q)?.n ?? 0);
  const db = after.db;
  const used = await count(db.selectFrom('credentials').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', seeded.orgId).where('purpose', '=', 'email_verify').where('use_count', '=', 1).executeTakeFirst());
  const overused = await count(db.selectFrom('credentials').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', seeded.orgId).where('purpose', '=', 'email_verify').where('use_count', '>', 1).executeTakeFirst());
  const validated = await count(db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', seeded.orgId).where('email_status', '=', 'verified').where('email_verified_via', '=', 'link').executeTakeFirst());
  await after.close();
  const total = LINKS + DOUBLE;
  return {
    links: total,
    mint_per_s: Math.round(total / mintSeconds),
    connections: CONNECTIONS,
    runs: [once, twice],
    credentials_used_once: used,
    credentials_used_more_than_once: overused,
    contacts_validated_by_link: validated,
    claim: once.status_codes['303'] === LINKS && twice.status_codes['303'] === DOUBLE && twice.status_codes['410'] === DOUBLE && used === total && overused === 0 && validated === total ? 'each link worked exactly once' : 'FAILED',
  };
}

// Each phase prints as it ends: a later failure keeps the earlier figures.
const header = { bench: 'shop-accounts', dialect, server: process.env.BENCH_SERVER === 'src' ? 'sources through tsx' : 'dist/ with node', machine: `${machine()}, ${cpus().length} cores, load at start ${load()}` };
if (PHASES.has('hash')) console.log(JSON.stringify({ ...header, hash: await hashPhase() }, null, 2));
if (PHASES.has('signin')) console.log(JSON.stringify({ ...header, signin: await signinPhase() }, null, 2));
if (PHASES.has('verify')) console.log(JSON.stringify({ ...header, verify: await verifyPhase() }, null, 2));
