import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey } from '../../lib/derived-keys.js';
import { keyringFor, type ServerKeys } from '../../lib/keyring.js';
import { isId } from '../../lib/ids.js';

/**
 * Unsubscribe links are signed, not stored: `base64url(outbox id || HMAC-SHA256(key, id)[0..16])`.
 * Minting one is a hash, with no database write, so a 100,000-message campaign pays nothing for
 * them. The link can only ever stop one organisation's marketing mail to the one address that
 * message went to, and reveals nothing; that is why it need not be a random, hashed, revocable
 * credential like the links of DESIGN.md section 2 (docs/emailing.md, "Unsubscribe").
 */
const PURPOSE = 'tessera/unsubscribe-link/v1';
const ID_BYTES = 26;
// 128 bits of MAC: forging a link for a given message takes 2^128 tries on average.
const MAC_BYTES = 16;
const TOKEN_LENGTH = Math.ceil(((ID_BYTES + MAC_BYTES) * 4) / 3);
const TOKEN = /^[A-Za-z0-9_-]+$/;

/** The key of unsubscribe links, derived from the server's HMAC secret (kept outside the database). */
export function unsubscribeKey(hmacKeyBase64: string): Buffer {
  return deriveKey(hmacKeyBase64, PURPOSE);
}

function mac(key: Buffer, outboxId: string): Buffer {
  return createHmac('sha256', key).update(outboxId, 'ascii').digest().subarray(0, MAC_BYTES);
}

export function signUnsubscribeToken(key: Buffer, outboxId: string): string {
  if (!isId(outboxId)) throw new Error('an unsubscribe token signs an outbox id');
  return Buffer.concat([Buffer.from(outboxId, 'ascii'), mac(key, outboxId)]).toString('base64url');
}

/** The keys an unsubscribe link may have been signed with: the current one, then any being rotated out. */
export function unsubscribeKeys(keys: ServerKeys): Buffer[] {
  return keyringFor(keys.hmac, PURPOSE).map((k) => k.key);
}

/**
 * The outbox id the token was made for, or null for anything else (truncated, forged, junk).
 * With several keys (a rotation), a link signed under any of them is good: emails already sent
 * keep a working unsubscribe link until the old key is dropped.
 */
export function verifyUnsubscribeToken(keyOrKeys: Buffer | readonly Buffer[], token: unknown): string | null {
  if (typeof token !== 'string' || token.length !== TOKEN_LENGTH || !TOKEN.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== ID_BYTES + MAC_BYTES) return null;
  const outboxId = bytes.subarray(0, ID_BYTES).toString('latin1');
  if (!isId(outboxId)) return null;
  const keys = Buffer.isBuffer(keyOrKeys) ? [keyOrKeys] : keyOrKeys;
  return keys.some((key) => timingSafeEqual(bytes.subarray(ID_BYTES), mac(key, outboxId))) ? outboxId : null;
}

/** `https://public.example/u/<token>`: always on the configured public URL. */
export function unsubscribeUrl(publicUrl: URL, key: Buffer, outboxId: string): string {
  return new URL(`/u/${signUnsubscribeToken(key, outboxId)}`, publicUrl).toString();
}

/**
 * RFC 2369 and RFC 8058: mail clients show an "unsubscribe" button, and the mailbox provider
 * POSTs `List-Unsubscribe=One-Click` to the link itself, without cookies or a page in between.
 */
export function listUnsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
