import { test } from 'node:test';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { canonicalEmail } from './email.js';
import { neutraliseCell } from './csv-safety.js';
import { findTokens, hashToken, mintToken, tokenKind } from './tokens.js';
import { cryptoRandom } from './random.js';
import { hashPassword, verifyPassword } from './password.js';
import { isId, newId } from './ids.js';
import { manualClock } from './clock.js';
import { loadConfig, ConfigError } from '../config.js';

test('canonical email trims, lower-cases the domain, converts IDN to punycode, and matches case-insensitively', () => {
  assert.deepEqual(canonicalEmail('  Alice@Example.COM '), { email: 'Alice@example.com', key: 'alice@example.com' });
  assert.equal(canonicalEmail('jo@bücher.de')?.email, 'jo@xn--bcher-kva.de');
  assert.equal(canonicalEmail('Alice@Example.COM')?.key, canonicalEmail('alice@example.com')?.key);
});

test('canonical email refuses lists, header injection and junk', () => {
  for (const bad of ['', 'a', 'a@', '@b.c', 'a@b', 'a@b.c\r\nBcc: x@y.z', 'a@b.c, d@e.f', 'a b@c.d', `${'x'.repeat(250)}@e.fr`, 42, null]) {
    assert.equal(canonicalEmail(bad), null, String(bad));
  }
});

test('a minted token is recognised, a one-character change is not', () => {
  const token = mintToken('setup', cryptoRandom);
  assert.match(token, /^tsr_setup_[a-z2-7]{39}$/);
  assert.equal(tokenKind(token), 'setup');
  const last = token.at(-1) === 'a' ? 'b' : 'a';
  assert.equal(tokenKind(token.slice(0, -1) + last), null);
  assert.equal(tokenKind(token.slice(0, -3)), null);
  assert.equal(tokenKind('x'.repeat(10_000)), null);
  assert.deepEqual(findTokens(`pasted ${token} here and tsr_setup_${'a'.repeat(39)}`), [token]);
  assert.notEqual(hashToken(token), token);
});

test('passwords verify only with the right password', async () => {
  const hash = await hashPassword('correct horse battery', cryptoRandom, { N: 1024, r: 8, p: 1 });
  assert.equal(await verifyPassword('correct horse battery', hash), true);
  assert.equal(await verifyPassword('correct horse batterY', hash), false);
  assert.equal(await verifyPassword('x', 'not-a-hash'), false);
});

test('ids sort by creation time and are recognised', () => {
  const clock = manualClock('2026-01-01T00:00:00Z');
  const first = newId(clock, cryptoRandom);
  clock.advance(1);
  const second = newId(clock, cryptoRandom);
  assert.ok(first < second);
  const sameMs = Array.from({ length: 1000 }, () => newId(clock, cryptoRandom));
  assert.deepEqual([...sameMs].sort(), sameMs, 'ids made in one millisecond keep their order');
  assert.equal(isId(first), true);
  assert.equal(isId('../etc/passwd'), false);
});

test('CSV cells that a spreadsheet would execute are neutralised', () => {
  for (const cell of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(neutraliseCell(cell), `'${cell}`);
  assert.equal(neutraliseCell('Alice'), 'Alice');
});

test('configuration is validated with clear messages', () => {
  const base = { TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-config-')) };
  assert.throws(() => loadConfig({ ...base, PORT: 'abc' }), (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message));
  assert.throws(() => loadConfig({ ...base, DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ ...base, NODE_ENV: 'production', TESSERA_PUBLIC_URL: 'https://t.example' }), /TESSERA_COOKIE_KEY/);
  const config = loadConfig(base);
  assert.equal(config.port, 3000);
  assert.equal(config.publicUrl.toString(), 'http://localhost:3000/');
  assert.ok(Object.isFrozen(config));
  const secretsFile = join(base.TESSERA_DATA_DIR, 'secrets.json');
  assert.equal(statSync(secretsFile).mode & 0o777, 0o600, 'generated keys are readable by the owner only');
  assert.deepEqual(loadConfig(base).secrets, config.secrets, 'a second start reuses the generated keys');
});
