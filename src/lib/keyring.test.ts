import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { keyringFor } from './keyring.js';
import { openSecret, sealSecret, sealedWithOldKey } from './secret-box.js';

const secret = () => randomBytes(32).toString('base64');

test('a sealed value opens under the same purpose and binding, and under nothing else', () => {
  const ring = keyringFor([secret()], 'tessera/test/v1');
  const sealed = sealSecret(ring, 'ABCD-EFGH', 'participant:1');
  assert.equal(openSecret(ring, sealed, 'participant:1'), 'ABCD-EFGH');
  assert.equal(openSecret(ring, sealed, 'participant:2'), null, 'moved to another row');
  assert.equal(openSecret(keyringFor([secret()], 'tessera/test/v1'), sealed, 'participant:1'), null, 'another server key');
  const bytes = Buffer.from(sealed.split('.')[1]!, 'base64url');
  bytes[14] = (bytes[14] ?? 0) ^ 1;
  assert.equal(openSecret(ring, `${sealed.split('.')[0]}.${bytes.toString('base64url')}`, 'participant:1'), null, 'altered');
  assert.doesNotMatch(sealed, /ABCD/);
});

test('after a rotation, values sealed with the previous key still open and are known to be old', () => {
  const [oldSecret, newSecret] = [secret(), secret()];
  const before = keyringFor([oldSecret], 'tessera/test/v1');
  const sealed = sealSecret(before, 'code', 'p');
  const after = keyringFor([newSecret, oldSecret], 'tessera/test/v1');
  assert.equal(openSecret(after, sealed, 'p'), 'code');
  assert.equal(sealedWithOldKey(after, sealed), true);
  assert.equal(sealedWithOldKey(after, sealSecret(after, 'code', 'p')), false);
  assert.equal(openSecret(keyringFor([newSecret], 'tessera/test/v1'), sealed, 'p'), null, 'once the old key is dropped');
});

test('keys for two purposes differ, and key ids do not depend on the purpose', () => {
  const s = secret();
  const a = keyringFor([s], 'tessera/a/v1');
  const b = keyringFor([s], 'tessera/b/v1');
  assert.notDeepEqual(a[0].key, b[0].key);
  assert.equal(a[0].id, b[0].id);
  assert.match(a[0].id, /^k[a-z2-7]{8}$/);
});
