import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.js';

/**
 * AES-256-GCM for the few values Tessera must be able to read back (a generated access code it
 * sends again, a signing key). Sealed text is `<key id>.<base64url(iv | ciphertext | tag)>`.
 * `aad` binds the ciphertext to where it belongs (say the participant's id): a sealed value
 * copied onto another row does not open there.
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealSecret(ring: Keyring, plaintext: string, aad: string): string {
  const { id, key } = ring[0];
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${id}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The plaintext, or null when the key is unknown (rotated out) or the value was altered or moved. */
export function openSecret(ring: Keyring, sealed: string, aad: string): string | null {
  const dot = sealed.indexOf('.');
  const version = ring.find((k) => k.id === sealed.slice(0, dot));
  if (dot < 0 || !version) return null;
  const bytes = Buffer.from(sealed.slice(dot + 1), 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', version.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Whether a sealed value was made with an older key and should be sealed again. */
export function sealedWithOldKey(ring: Keyring, sealed: string): boolean {
  return !sealed.startsWith(`${ring[0].id}.`);
}
