/**
 * Personal QR codes: offline signature checks per second on one core (issue 7).
 *
 * verify: verifyQrText(publicKey, text) as a scanner with the offline bundle runs it: parse the
 *         TQ1 text, decode the signature, Ed25519 verify against the event's public key. 2,000
 *         distinct codes of one event (random ids, lead ids, versions 1-3) checked round-robin on
 *         this thread for BENCH_SECONDS. Target >= 10,000 checks/s/core.
 * forged: the same with every code's signature altered (refused): what a flood of fakes costs.
 * sign:   signing a code (what {{ qr_code }}, badges and "My QR code" pay per code), key cached.
 * image:  the PNG an email carries (qrPng: the QR matrix, then a 1-bit PNG).
 *
 * Pure CPU, no database, one thread. Rates are per second of this thread's CPU time (per core,
 * what a scanner's core does) and per second of wall time (as loaded now: the bench prints the
 * load average, the machine is shared with other runs).
 *
 *   npx tsx bench/qr-verify.bench.ts
 *
 * Knobs: BENCH_SECONDS (3 a phase), BENCH_CODES (2000).
 */
import { cpus, loadavg } from 'node:os';
import { newId } from '../src/lib/ids.js';
import { qrPng, verifyQrText } from '../src/modules/qr-codes/index.js';
// The bench signs codes as the module does, without a database (the module keeps these internal).
import { generateLeadId, qrTextOf, signedPart } from '../src/modules/qr-codes/qr-format.js';
import { generateEventKey, signWith } from '../src/modules/qr-codes/qr-keys.js';
import { ctx, machine } from './seed.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CODES = Number(process.env.BENCH_CODES ?? 2000);

/**
 * Operations per second of this thread's CPU time (what one core does when it is not shared) and
 * per second of wall time (what it did on this machine as loaded now).
 */
function rate(label: string, fn: (i: number) => unknown): number {
  for (let i = 0; i < 2000; i++) fn(i); // warm-up: JIT and key caches
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() < end) {
    for (let k = 0; k < 500; k++) fn(done++);
  }
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const perCpuSecond = done / cpuSeconds;
  const perWallSecond = done / ((performance.now() - start) / 1000);
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  console.log(`${label.padEnd(8)} ${fmt(perCpuSecond)} /s per core (${(1e6 / perCpuSecond).toFixed(1)} µs CPU each); ${fmt(perWallSecond)} /s of wall time`);
  return perCpuSecond;
}

const eventId = newId(ctx.clock, ctx.random);
const key = generateEventKey(ctx.keys, eventId);
const sign = (participantId: string, version: number) => {
  const fields = { eventId, participantId, version, leadId: generateLeadId(ctx.random) };
  return qrTextOf(fields, signWith(ctx.keys, eventId, key.sealedPrivateKey, signedPart(fields)));
};
const codes = Array.from({ length: CODES }, (_, i) => sign(newId(ctx.clock, ctx.random), 1 + (i % 3)));
// One signature character changed mid-way: well formed, so each one costs a full verification.
const forged = codes.map((code) => `${code.slice(0, -20)}${code.at(-20) === 'A' ? 'B' : 'A'}${code.slice(-19)}`);
const participants = Array.from({ length: CODES }, () => newId(ctx.clock, ctx.random));

console.log(`qr-verify: ${machine()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`code length ${codes[0]!.length} characters`);
let accepted = 0;
const verify = rate('verify', (i) => verifyQrText(key.publicKey, codes[i % CODES]!) && accepted++);
let refused = 0;
rate('forged', (i) => verifyQrText(key.publicKey, forged[i % CODES]!) === null && refused++);
rate('sign', (i) => sign(participants[i % CODES]!, 1));
rate('image', (i) => qrPng(codes[i % CODES]!));
if (accepted === 0 || refused === 0) throw new Error('the bench checked nothing');
console.log(`load after ${loadavg().map((l) => l.toFixed(2)).join(' ')}; target >= 10,000 checks/s/core: ${verify >= 10_000 ? 'met' : 'NOT met'}`);
