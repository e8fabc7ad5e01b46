/**
 * A child-process entry that runs the real outbox worker (startOutboxWorker, the pooled nodemailer
 * transport, the system clock) against a given database and SMTP port, as `tessera worker` would.
 * Reliability tests start it with `node --import tsx test/helpers/worker-process.ts --db ...`,
 * SIGKILL it mid-delivery and start it again.
 *
 *   --db            a SQLite file path, or a postgres:// URL
 *   --smtp-port     port of the SMTP server on 127.0.0.1
 *   --worker-id     the worker's id (a restart under the same id takes its dead claims back at once)
 *   --lease-ms, --batch-size, --concurrency, --poll-ms, --connections   worker and transport tuning
 *   --wait-for-start  load and connect, report `{ type: 'loaded' }`, start the worker on `{ type: 'start' }`
 *
 * With an IPC channel (child_process.fork) it reports `{ type: 'ready' }` once it polls, and on
 * SIGTERM stops after its batch and reports `{ type: 'stopped', sent, failedSends }`.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '../../src/db/connection.js';
import { startOutboxWorker } from '../../src/jobs/outbox-worker.js';
import { systemClock } from '../../src/lib/clock.js';
import { cryptoRandom } from '../../src/lib/random.js';
import { createMailTransport, type MailTransport } from '../../src/modules/mail-transport/index.js';

export interface WorkerProcessMessage {
  type: 'loaded' | 'ready' | 'stopped';
  /** Messages the SMTP server accepted from this process. */
  sent?: number;
  failedSends?: number;
  /** CPU time (user + system) and peak RSS of this process, for benchmarks. */
  cpuMs?: number;
  peakRssMb?: number;
}

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    'smtp-port': { type: 'string' },
    'worker-id': { type: 'string', default: `child-${process.pid}` },
    'lease-ms': { type: 'string', default: '300000' },
    'batch-size': { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '8' },
    'poll-ms': { type: 'string', default: '50' },
    connections: { type: 'string', default: '5' },
    'public-url': { type: 'string', default: 'https://tessera.test' },
    'wait-for-start': { type: 'boolean', default: false },
  },
});

if (!values.db || !values['smtp-port']) {
  process.stderr.write('usage: worker-process.ts --db <sqlite file | postgres url> --smtp-port <port> [--worker-id id]\n');
  process.exit(2);
}

const report = (message: WorkerProcessMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
// The test that started this process is gone: so is the reason to send its mail.
process.on('disconnect', () => process.exit(1));

const log = {
  info: () => {},
  warn: (obj: object, msg: string) => process.stderr.write(`warn: ${msg} ${JSON.stringify(obj)}\n`),
  error: (obj: object, msg: string) => process.stderr.write(`error: ${msg} ${String((obj as { err?: unknown }).err ?? JSON.stringify(obj))}\n`),
};

const db = values.db;
const isPostgres = /^postgres(ql)?:\/\//.test(db);
const handle = connect(isPostgres ? { databaseUrl: db, dataDir: '.', poolSize: 4 } : { databaseUrl: null, dataDir: dirname(db), sqliteFile: db });
const publicUrl = new URL(values['public-url']);
const smtp = createMailTransport(
  { smtpUrl: `smtp://127.0.0.1:${values['smtp-port']}`, smtpSinkPort: null, dkim: null, publicUrl },
  { maxConnections: Number(values.connections) },
);

// Counts what this process got accepted, for tests that compare workers' shares.
let sent = 0;
let failedSends = 0;
const transport: MailTransport = {
  async send(message) {
    const result = await smtp.send(message);
    if (result.ok) sent += 1;
    else failedSends += 1;
    return result;
  },
  close: () => smtp.close(),
};

await handle.ping();
if (values['wait-for-start']) {
  // A test can load this process ahead of time and start its worker at the moment of a restart.
  const start = new Promise<void>((resolve) => process.on('message', (m: { type?: string }) => m.type === 'start' && resolve()));
  await report({ type: 'loaded' });
  await start;
}
const key = () => randomBytes(32).toString('base64');
const worker = startOutboxWorker({
  db: handle.db,
  dialect: handle.dialect,
  ctx: { clock: systemClock, random: cryptoRandom, keys: { hmac: [key()], encryption: [key()] } },
  transport,
  // Unsubscribe links and sealed values use keys of this process's own: nothing here verifies them.
  config: { publicUrl, mailFrom: null, secrets: { cookieKey: key(), hmacKey: key(), encryptionKey: key() }, previousSecrets: { hmacKeys: [], encryptionKeys: [] } },
  workerId: values['worker-id'],
  leaseMs: Number(values['lease-ms']),
  batchSize: Number(values['batch-size']),
  concurrency: Number(values.concurrency),
  pollMs: Number(values['poll-ms']),
  log,
});
await report({ type: 'ready' });

process.once('SIGTERM', () => {
  void (async () => {
    await worker.stop();
    await transport.close();
    await handle.close();
    const cpu = process.cpuUsage();
    const usage = { cpuMs: Math.round((cpu.user + cpu.system) / 1000), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
    await report({ type: 'stopped', sent, failedSends, ...usage });
    process.exit(0);
  })();
});
