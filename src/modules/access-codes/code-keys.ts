import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring, ServerKeys } from '../../lib/keyring.js';
import { keyringFor } from '../../lib/keyring.js';
import { openSecret, sealSecret } from '../../lib/secret-box.js';

/**
 * Codes are stored as an HMAC under a key the database never holds, not as a salted slow hash:
 * sign-in must be one indexed lookup and uniqueness in the event must be checkable, which a
 * per-row salt forbids. A dump alone cannot be brute-forced offline without the key
 * (SECURITY.md, "Access codes" explains the deviation from ASVS V6.5.2).
 */
const MAC_PURPOSE = 'tessera/access-code-mac/v1';
const BOX_PURPOSE = 'tessera/access-code-box/v1';

export function macRing(keys: ServerKeys): Keyring {
  return keyringFor(keys.hmac, MAC_PURPOSE);
}

function boxRing(keys: ServerKeys): Keyring {
  return keyringFor(keys.encryption, BOX_PURPOSE);
}

/** The event is part of the MAC: the same code in two events gives two unrelated values. */
export function codeMac(key: Buffer, eventId: string, normalised: string): string {
  return createHmac('sha256', key).update(`${eventId}\0${normalised}`).digest('base64url');
}

/** MACs of a code under every key of the ring (current first), for lookups during a rotation. */
export function codeMacs(keys: ServerKeys, eventId: string, normalised: string): Array<{ keyId: string; mac: string }> {
  return macRing(keys).map((k) => ({ keyId: k.id, mac: codeMac(k.key, eventId, normalised) }));
}

/** Whether a typed code matches a stored MAC, in constant time; false when its key is gone. */
export function macMatches(keys: ServerKeys, stored: { keyId: string; mac: string }, eventId: string, normalised: string): boolean {
  const key = macRing(keys).find((k) => k.id === stored.keyId) ?? macRing(keys)[0];
  const expected = Buffer.from(stored.mac, 'base64url');
  const actual = Buffer.from(codeMac(key.key, eventId, normalised), 'base64url');
  return expected.length === actual.length && timingSafeEqual(expected, actual) && key.id === stored.keyId;
}

const aad = (participantId: string) => `access-code:${participantId}`;

/** The id of the key new sealed copies are made with. */
export function sealedKeyId(keys: ServerKeys): string {
  return boxRing(keys)[0].id;
}

export function sealCode(keys: ServerKeys, participantId: string, normalised: string): string {
  return sealSecret(boxRing(keys), normalised, aad(participantId));
}

export function openCode(keys: ServerKeys, participantId: string, sealed: string): string | null {
  return openSecret(boxRing(keys), sealed, aad(participantId));
}
