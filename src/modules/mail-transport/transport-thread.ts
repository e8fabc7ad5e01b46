import { Worker } from 'node:worker_threads';
import type { MailTransport, OutgoingMail, SendResult } from './mail-transport.types.js';
import type { MailTransportOptions, MailTransportSettings } from './smtp-transport.js';

/** What the thread is started with: the settings, with the URL as text (a URL does not cross threads). */
export interface TransportThreadData {
  settings: Omit<MailTransportSettings, 'publicUrl'> & { publicUrl: string };
  options: MailTransportOptions;
}

export type TransportThreadRequest = { id: number; message: OutgoingMail } | { type: 'close' };
export type TransportThreadReply = { id: number; result: SendResult } | { type: 'closed' };

function spawn(data: TransportThreadData): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./transport.worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  // Young generation capped as `npm start` caps the main thread's (--max-semi-space-size=8).
  const resourceLimits = { maxYoungGenerationSizeMb: 8 };
  if (!fromSource) return new Worker(entry, { workerData: data, resourceLimits });
  // Running from source (tsx: tests, benchmarks, `npm run dev`): a worker does not inherit tsx's
  // loader, so it registers it before importing the TypeScript entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: data, resourceLimits });
}

/**
 * The pooled SMTP transport (smtp-transport.ts) on a thread of its own: composing, DKIM signing and
 * nodemailer's SMTP client cost about 0.35 ms of CPU a message, which on the main thread competed
 * with rendering, the database and HTTP for one core. The thread starts at the first message, so
 * an idle process never loads nodemailer; if it dies, the messages it held are reported temporary
 * failures (the outbox retries them) and the next message starts a fresh one.
 */
export function createThreadedMailTransport(settings: MailTransportSettings, options: MailTransportOptions = {}): MailTransport {
  const data: TransportThreadData = { settings: { ...settings, publicUrl: settings.publicUrl.href }, options };
  const pending = new Map<number, (result: SendResult) => void>();
  let sequence = 0;
  let worker: Worker | null = null;
  let closed: (() => void) | null = null;

  const failAll = (reason: string) => {
    for (const resolve of pending.values()) resolve({ ok: false, kind: 'temporary', reason });
    pending.clear();
  };
  const start = (): Worker => {
    const thread = spawn(data);
    thread.on('message', (reply: TransportThreadReply) => {
      if ('id' in reply) {
        pending.get(reply.id)?.(reply.result);
        pending.delete(reply.id);
      } else closed?.();
    });
    thread.on('error', (err) => failAll(`mail transport thread failed: ${err.message}`));
    thread.on('exit', (code) => {
      if (worker === thread) worker = null;
      failAll(`mail transport thread stopped (exit code ${code})`);
      closed?.();
    });
    // The thread must not keep the process alive on its own; close() ends it.
    thread.unref();
    return thread;
  };

  return {
    send(message: OutgoingMail): Promise<SendResult> {
      const thread = (worker ??= start());
      const id = ++sequence;
      return new Promise<SendResult>((resolve) => {
        pending.set(id, resolve);
        thread.postMessage({ id, message } satisfies TransportThreadRequest);
      });
    },
    async close(): Promise<void> {
      const thread = worker;
      if (!thread) return;
      worker = null;
      // The thread closes its SMTP connections, answers, and is then ended.
      await new Promise<void>((resolve) => {
        closed = resolve;
        thread.postMessage({ type: 'close' } satisfies TransportThreadRequest);
      });
      await thread.terminate();
    },
  };
}
