import { Worker } from 'node:worker_threads';
import type { MailSink } from './mail-sink.js';

export interface SinkThreadData {
  databaseUrl: string | null;
  dataDir: string;
  port: number;
  host: string;
}

export type SinkThreadMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; message: string; code: string | null }
  | { type: 'error'; message: string }
  | { type: 'closed' };

export interface MailSinkThreadOptions {
  databaseUrl: string | null;
  dataDir: string;
  port: number;
  host?: string;
  onError?: (err: Error) => void;
}

/**
 * Under `npm start` the worker composes messages and the sink parses and stores them in the same
 * process: on one thread, composing (nodemailer) and parsing (mailparser) take about 0.4 ms each
 * and cap delivery far below issue 3's 1,500 messages/s. The sink therefore runs on its own thread
 * with its own database connection, and the two halves use two cores.
 */
function spawn(data: SinkThreadData): Worker {
  const entry = new URL(`./mail-sink.worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  if (entry.pathname.endsWith('.js')) return new Worker(entry, { workerData: data });
  // Running from source (tsx: tests, `npm run dev`): a worker does not inherit tsx's loader, so
  // it registers it before importing the TypeScript entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** Starts the sink on a worker thread; resolves once it listens, rejects (with .code) if it cannot. */
export function startMailSinkThread(options: MailSinkThreadOptions): Promise<MailSink> {
  const worker = spawn({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, port: options.port, host: options.host ?? '127.0.0.1' });
  return new Promise<MailSink>((resolve, reject) => {
    let closed: (() => void) | null = null;
    worker.on('error', (err) => {
      options.onError?.(err);
      reject(err);
    });
    worker.on('message', (message: SinkThreadMessage) => {
      if (message.type === 'error') options.onError?.(new Error(message.message));
      if (message.type === 'failed') {
        void worker.terminate();
        reject(Object.assign(new Error(message.message), { code: message.code ?? undefined }));
      }
      if (message.type === 'closed') closed?.();
      if (message.type !== 'ready') return;
      resolve({
        port: message.port,
        close: async () => {
          const done = new Promise<void>((r) => (closed = r));
          worker.postMessage({ type: 'close' });
          await done;
          await worker.terminate();
        },
      });
    });
  });
}
