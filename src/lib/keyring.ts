import { createHash } from 'node:crypto';
import { encodeBase32 } from './base32.js';
import { deriveKey } from './derived-keys.js';

/**
 * Server keys with rotation. Each configured secret (the current one first, then the previous
 * ones an operator keeps during a rotation) gets a short id, a fingerprint of the secret, so a
 * stored MAC or ciphertext says which key made it without the database ever holding a key.
 * Rotating is: set the new secret, move the old one to `..._PREVIOUS`, let values re-key
 * (on use, or with `tessera rotate-keys`), then drop the old secret.
 */
export interface KeyVersion {
  /** `k` + 8 base32 characters: 40 bits of a SHA-256 over the secret. Not secret. */
  id: string;
  key: Buffer;
}

/** The current key first; older keys only verify or decrypt, never produce. */
export type Keyring = readonly [KeyVersion, ...KeyVersion[]];

/** The server's secrets as configured (base64), current first. What modules derive keys from. */
export interface ServerKeys {
  hmac: readonly [string, ...string[]];
  encryption: readonly [string, ...string[]];
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function keyIdOf(secretBase64: string): string {
  const digest = createHash('sha256').update('tessera/key-id/v1\0').update(Buffer.from(secretBase64, 'base64')).digest();
  return `k${encodeBase32(digest.subarray(0, 5), ALPHABET)}`;
}

const cache = new Map<string, Keyring>();

/**
 * The keyring for one purpose (say `tessera/access-code-mac/v1`), each secret run through HKDF
 * with that purpose, so a key made for one use can never verify another. Derived once per
 * process: HKDF costs a few microseconds, a sign-in must not pay it.
 */
export function keyringFor(secrets: readonly [string, ...string[]], purpose: string): Keyring {
  const cacheKey = `${purpose}\0${secrets.join('\0')}`;
  let ring = cache.get(cacheKey);
  if (!ring) {
    const [first, ...rest] = secrets.map((secret) => ({ id: keyIdOf(secret), key: deriveKey(secret, purpose) }));
    ring = Object.freeze([first!, ...rest]) as Keyring;
    cache.set(cacheKey, ring);
  }
  return ring;
}
