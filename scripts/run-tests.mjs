// Runs Node's built-in test runner over every colocated *.test.ts(x) file (or the e2e suite),
// through tsx. Node 20's --test does not expand globs itself, so we list the files here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const suite = process.argv[2] === 'e2e' ? 'e2e' : 'unit';
const roots = suite === 'e2e' ? ['e2e'] : ['src', 'test'];
const filter = process.argv[3];

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(walk(path));
    else if (/\.(test|spec)\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

const files = roots.flatMap((root) => walk(root)).filter((f) => !filter || f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`No test files found for ${suite}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? (suite === 'e2e' ? '1' : '2');
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
