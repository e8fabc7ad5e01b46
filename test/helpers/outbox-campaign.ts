// Parent-side helpers for the outbox reliability tests: a large campaign seeded in bulk, an SMTP
// server that records every Message-ID it accepts, and worker child processes (worker-process.ts).
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { sql } from 'kysely';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { systemActor, type Ctx } from '../../src/lib/context.js';
import { canonicalEmail } from '../../src/lib/email.js';
import { createCampaign, getCampaign, startCampaign } from '../../src/modules/emailing/index.js';
import { upsertParticipants, type ValidParticipant } from '../../src/modules/participants/index.js';
import type { TestApp } from './app.js';
import { seedMailing } from './outbox.js';
import type { WorkerProcessMessage } from './worker-process.js';

export interface SeededCampaign {
  campaignId: string;
  eventId: string;
  templateId: string;
  /** Outbox row ids, in recipient order. */
  rowIds: string[];
  emails: string[];
}

export const campaignEmail = (i: number) => `person${i}@example.org`;

/**
 * An event with `count` participants (bulk upsert, as an import does), one template, and a
 * campaign to all of them sent now: one outbox row per participant, written by enqueueEmails in
 * the campaign's start transaction. `ctx` sets the queue time: a worker on the real clock needs
 * rows queued on the real clock.
 */
export async function seedCampaign(t: TestApp, orgId: string, count: number, ctx: Ctx = t.ctx, emailOf = campaignEmail): Promise<SeededCampaign> {
  const { event, template } = await seedMailing(t, orgId, []);
  const emails = Array.from({ length: count }, (_, i) => emailOf(i));
  const rows: ValidParticipant[] = emails.map((email, i) => ({ email: canonicalEmail(email)!, firstName: `First${i}`, lastName: `Last${i}`, status: 'registered', fields: {} }));
  await t.db.transaction().execute((trx) => upsertParticipants(trx, t.ctx, systemActor, orgId, event.id, rows, { existing: 'fail', defaultStatus: 'registered', auditEachRow: false }));
  const audience = { ids: [], statuses: [], fields: {}, q: '' };
  const draft = await createCampaign(t.db, t.ctx, systemActor, orgId, event.id, { name: 'Everyone', templateId: template.id, audience });
  const campaign = await getCampaign(t.db, orgId, event.id, draft.id);
  if (!(await t.db.transaction().execute((trx) => startCampaign(trx, ctx, t.dialect, systemActor, campaign)))) throw new Error('the campaign did not start');
  const queued = await t.db.selectFrom('outbox').select(['id', 'to_email', 'category']).where('campaign_id', '=', campaign.id).execute();
  if (queued.length !== count || queued.some((r) => r.category !== 'campaign')) throw new Error(`expected ${count} campaign messages, found ${queued.length}`);
  const byEmail = new Map(queued.map((r) => [r.to_email, r.id]));
  return { campaignId: campaign.id, eventId: event.id, templateId: template.id, rowIds: emails.map((email) => byEmail.get(email)!), emails };
}

export interface Delivery {
  messageId: string;
  rcptTo: string[];
}

/** What the test's SMTP server does with a message it has received in full. */
export type DataVerdict = 'accept' | 'drop';

export interface RecordingSmtpScript {
  /** Refuse a recipient with an SMTP error (smtpError), or accept it with null. */
  rcpt?(address: string): Error | null;
  /** Called after the message is recorded: 'drop' cuts the connection instead of answering 250 (a lost ack). */
  data?(delivery: Delivery, index: number): DataVerdict;
}

export interface RecordingSmtp {
  port: number;
  /** Every message received in full, in arrival order (copies included). */
  deliveries: Delivery[];
  /** Copies received per Message-ID. */
  copies: Map<string, number>;
  openConnections(): number;
  close(): Promise<void>;
}

const MESSAGE_ID_HEADER = /^message-id:[ \t]*(<[^>\r\n]+>)/im;

/**
 * A real SMTP server (smtp-server) that keeps only the Message-ID and envelope of each message,
 * so 10,000 messages cost little memory. A message counts once its final dot has arrived: the
 * client may still die before our 250 reaches it, which is exactly the crash window.
 */
export async function startRecordingSmtp(script: RecordingSmtpScript = {}): Promise<RecordingSmtp> {
  const deliveries: Delivery[] = [];
  const copies = new Map<string, number>();
  const sockets = new Set<Socket>();
  const drop = (session: SMTPServerSession) => {
    for (const socket of sockets) if (socket.remotePort === session.remotePort) socket.destroy();
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    maxClients: 50,
    closeTimeout: 200,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      callback(script.rcpt?.(address.address) ?? undefined);
    },
    onData(stream, session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8192) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const end = head.indexOf('\r\n\r\n');
        const messageId = MESSAGE_ID_HEADER.exec(end === -1 ? head : head.slice(0, end))?.[1] ?? '';
        const delivery = { messageId, rcptTo: session.envelope.rcptTo.map((r) => r.address) };
        deliveries.push(delivery);
        copies.set(messageId, (copies.get(messageId) ?? 0) + 1);
        if (script.data?.(delivery, deliveries.length) === 'drop') return drop(session);
        callback(null, 'Queued');
      });
    },
  });
  // A killed client resets its connections: expected here, not an error of the test.
  server.on('error', () => {});
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address !== 'object') throw new Error('SMTP server has no port');
  return {
    port: address.port,
    deliveries,
    copies,
    openConnections: () => sockets.size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Where a child process finds the test app's database: its SQLite file, or its PostgreSQL URL. */
export async function databaseAddress(t: TestApp): Promise<string> {
  if (t.dialect === 'sqlite') return join(t.dataDir, 'tessera.sqlite');
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.db);
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${rows[0]!.name}`;
  return url.toString();
}

export interface WorkerChildOptions {
  db: string;
  smtpPort: number;
  workerId: string;
  leaseMs?: number;
  batchSize?: number;
  concurrency?: number;
  pollMs?: number;
  connections?: number;
  /** Load and connect now, start the worker only when `start()` is called. */
  deferStart?: boolean;
}

export interface WorkerChild {
  child: ChildProcess;
  /** Resolves once the worker polls the outbox. */
  ready: Promise<void>;
  /** With deferStart: waits until the process has loaded, starts its worker, resolves when it polls. */
  start(): Promise<void>;
  /** What the child wrote to stderr (its worker's warnings and errors). */
  stderr(): string;
  /** SIGKILL: no chance to record anything; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the batch in progress finishes; resolves with the child's counts. */
  stop(): Promise<WorkerProcessMessage>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/** `node --import tsx test/helpers/worker-process.ts ...`, with an IPC channel for its reports. */
export function spawnWorker(o: WorkerChildOptions): WorkerChild {
  const flags: Record<string, string | number | undefined> = {
    db: o.db,
    'smtp-port': o.smtpPort,
    'worker-id': o.workerId,
    'lease-ms': o.leaseMs,
    'batch-size': o.batchSize,
    concurrency: o.concurrency,
    'poll-ms': o.pollMs,
    connections: o.connections,
  };
  const args = Object.entries(flags).flatMap(([name, value]) => (value === undefined ? [] : [`--${name}`, String(value)]));
  if (o.deferStart) args.push('--wait-for-start');
  const child = fork(ENTRY, args, { cwd: ROOT, execArgv: ['--import', 'tsx', ...(process.env.WORKER_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/exp/prof'] : [])], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const message = (type: WorkerProcessMessage['type']) =>
    new Promise<WorkerProcessMessage>((resolve, reject) => {
      const onMessage = (m: WorkerProcessMessage) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      void exited.then(() => reject(new Error(`worker ${o.workerId} exited before "${type}" (code ${child.exitCode}, signal ${child.signalCode}): ${errors}`)));
    });
  const ready = message('ready').then(() => undefined);
  ready.catch(() => {});
  const loaded = o.deferStart ? message('loaded') : null;
  loaded?.catch(() => {});
  return {
    child,
    ready,
    async start() {
      if (!loaded) throw new Error('start() is for workers spawned with deferStart');
      await loaded;
      child.send({ type: 'start' });
      await ready;
    },
    stderr: () => errors,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      const stopped = message('stopped');
      child.kill('SIGTERM');
      const result = await stopped;
      await exited;
      return result;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `done` every `everyMs` until it holds; fails after `timeoutMs` saying what was awaited. */
export async function waitUntil(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A small seeded PRNG (mulberry32): a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
