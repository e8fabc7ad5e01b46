import { hkdfSync } from 'node:crypto';

/**
 * A key for one purpose, derived from a configured secret with HKDF-SHA256. A new use of a
 * server key gets its own derived key instead of a new environment variable: operators keep
 * managing the same few secrets, and a MAC made for one purpose can never be replayed as a MAC
 * of another, because `purpose` (say `tessera/unsubscribe-link/v1`) is part of the derivation.
 */
export function deriveKey(secretBase64: string, purpose: string, bytes = 32): Buffer {
  const secret = Buffer.from(secretBase64, 'base64');
  if (secret.length < 32) throw new Error('a derived key needs a secret of at least 32 bytes');
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), Buffer.from(purpose, 'utf8'), bytes));
}
