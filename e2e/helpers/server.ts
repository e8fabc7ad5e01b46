import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SETUP_LINK = /https?:\/\/\S+\/setup\/tsr_setup_[A-Za-z0-9_-]+/;

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234. */
  url: string;
  port: number;
  dataDir: string;
  /** Everything the process printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** The one-time setup link printed on a fresh install. */
  setupLink(timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra environment for the server; DATABASE_URL here runs it on PostgreSQL. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

/** A free TCP port on loopback (the OS picks it; we release it just before the server binds). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Starts the real server (`node --import tsx src/main.ts`) as a child process on a free loopback
 * port with an empty data directory, and resolves once /readyz answers.
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-e2e-data-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  Object.assign(env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    TESSERA_DATA_DIR: dataDir,
    TESSERA_PUBLIC_URL: url,
    ...options.env,
  });

  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (!exited(child)) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited(child)) {
      await stop();
      throw new Error(`server exited with ${child.exitCode ?? child.signalCode} before it was ready\n${output()}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not ready at ${url}/readyz in time\n${output()}`);
    }
    await sleep(100);
  }

  return {
    url,
    port,
    dataDir,
    output,
    async setupLink(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const match = SETUP_LINK.exec(stdout);
        if (match) return match[0];
        if (Date.now() > until || exited(child)) throw new Error(`no setup link printed\n${output()}`);
        await sleep(50);
      }
    },
    stop,
  };
}
