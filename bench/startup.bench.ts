/**
 * Start to ready and idle RSS of the built server (`npm run build` first).
 * Targets (issue 2): start to ready <= 2 s; idle RSS <= 120 MB. Run: npx tsx bench/startup.bench.ts
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine } from './seed.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tessera-start-'));
const port = 39_000 + Math.floor(Math.random() * 1000);

async function startOnce(label: string) {
  const started = performance.now();
  // The same V8 flag as `npm start`: a smaller young generation keeps idle memory low.
  const child = spawn(process.execPath, ['--max-semi-space-size=8', 'dist/main.js'], {
    env: { ...process.env, PORT: String(port), TESSERA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let printedLink = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('/setup/tsr_setup_')) printedLink = true;
  });
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const readyMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 5000));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { label, ready_ms: Math.round(readyMs), idle_rss_mb: +(rssKb / 1024).toFixed(1), printed_setup_link: printedLink };
}

const first = await startOnce('first start (empty data dir)');
// Complete the setup from the CLI, so the second start is that of an installed Tessera.
const created = spawnSync(process.execPath, ['dist/cli/main.js', 'create-admin', '--org', 'Bench', '--email', 'bench@example.org'], {
  env: { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_ADMIN_PASSWORD: 'bench password 123' },
});
if (created.status !== 0) throw new Error(`create-admin failed: ${created.stderr.toString()}`);
const second = await startOnce('second start (existing data)');
console.log(JSON.stringify({ bench: 'startup', machine: machine(), runs: [first, second] }, null, 2));
