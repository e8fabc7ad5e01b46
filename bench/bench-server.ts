import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts bench/personal-links.server.mjs (the real app on a loopback port, in a process of its
 * own so its memory and CPU are its own) and resolves with its port once it listens. From dist/
 * (rebuilt first, as `npm start` runs), or from the sources through tsx with BENCH_SERVER=src.
 * The process is killed when the bench exits, even on failure.
 */
export async function startBenchServer(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const fromSrc = process.env.BENCH_SERVER === 'src';
  if (!fromSrc) execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  const child = spawn(process.execPath, ['--max-semi-space-size=8', ...nodeArgs, ...(fromSrc ? ['--import', 'tsx'] : []), 'bench/personal-links.server.mjs'], {
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.on('exit', () => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, port };
}
