import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { encodeBase32 } from '../../lib/base32.js';
import { keyringFor, type ServerKeys } from '../../lib/keyring.js';
import { openSecret, sealedWithOldKey, sealSecret } from '../../lib/secret-box.js';

/**
 * Event signing keys. The private key leaves this file only sealed (AES-GCM under a key derived
 * from the server's encryption secret, bound to the event): a database dump cannot sign codes,
 * and a sealed key copied onto another event does not open there.
 */
const BOX_PURPOSE = 'tessera/qr-signing-key/v1';
const aad = (eventId: string) => `event:${eventId}`;

export interface NewEventKey {
  keyId: string;
  publicKey: string;
  sealedPrivateKey: string;
}

/** `q` + 8 base32 characters of a SHA-256 over the public key: 40 bits, enough to tell keys apart. */
export function keyIdOf(publicKeyBase64: string): string {
  const digest = createHash('sha256').update('tessera/qr-key-id/v1\0').update(Buffer.from(publicKeyBase64, 'base64')).digest();
  return `q${encodeBase32(digest.subarray(0, 5), 'abcdefghijklmnopqrstuvwxyz234567')}`;
}

export function generateEventKey(keys: ServerKeys, eventId: string): NewEventKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicDer = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const privateDer = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  return {
    keyId: keyIdOf(publicDer),
    publicKey: publicDer,
    sealedPrivateKey: sealSecret(keyringFor(keys.encryption, BOX_PURPOSE), privateDer, aad(eventId)),
  };
}

// Opening and parsing the sealed key costs more than signing; an email campaign signs one code
// per recipient with the same key.
const privateKeys = new Map<string, KeyObject>();

function privateKeyOf(keys: ServerKeys, eventId: string, sealed: string): KeyObject {
  const cacheKey = `${eventId}\0${sealed}`;
  let key = privateKeys.get(cacheKey);
  if (!key) {
    const der = openSecret(keyringFor(keys.encryption, BOX_PURPOSE), sealed, aad(eventId));
    // Only a lost or wrong server key gets here: nothing a user can fix, so not a DomainError.
    if (der === null) throw new Error(`the QR signing key of event ${eventId} cannot be opened with the configured keys`);
    key = createPrivateKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'pkcs8' });
    if (privateKeys.size >= 256) privateKeys.clear();
    privateKeys.set(cacheKey, key);
  }
  return key;
}

/**
 * After a rotation of TESSERA_ENCRYPTION_KEY: the sealed private key again under the current
 * key, or null when it already is (or no configured key opens it: reported by the caller).
 */
export function resealEventKey(keys: ServerKeys, eventId: string, sealed: string): { sealed: string } | { unreadable: true } | null {
  const ring = keyringFor(keys.encryption, BOX_PURPOSE);
  if (!sealedWithOldKey(ring, sealed)) return null;
  const der = openSecret(ring, sealed, aad(eventId));
  return der === null ? { unreadable: true } : { sealed: sealSecret(ring, der, aad(eventId)) };
}

export function signWith(keys: ServerKeys, eventId: string, sealed: string, message: string): Buffer {
  return sign(null, Buffer.from(message, 'latin1'), privateKeyOf(keys, eventId, sealed));
}
