import { createHash, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { encodeBase32 } from './base32.js';
import type { Random } from './random.js';

/**
 * Tessera credentials look like `tsr_<kind>_<random><check>`: the prefix lets scanners (and our
 * own template linter) recognise a leaked credential, the CRC lets them tell a real one from
 * look-alike text without a database lookup. 160 random bits, base32 so it survives copy/paste.
 */
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
const TOKEN_PATTERN = /^tsr_([a-z]{2,12})_([a-z2-7]{32})([a-z2-7]{7})$/;
export const TOKEN_SEARCH_PATTERN = /tsr_[a-z]{2,12}_[a-z2-7]{39}/g;

export function base32(bytes: Uint8Array): string {
  return encodeBase32(bytes, B32);
}

function checksum(kind: string, body: string): string {
  const value = crc32(`${kind}_${body}`) >>> 0;
  return base32(Buffer.from([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]));
}

export function mintToken(kind: string, random: Random): string {
  const body = base32(random.bytes(20));
  return `tsr_${kind}_${body}${checksum(kind, body)}`;
}

/** Returns the kind when the text is a well-formed Tessera token, else null. No detail on why. */
export function tokenKind(text: string): string | null {
  if (text.length > 64) return null;
  const match = TOKEN_PATTERN.exec(text);
  if (!match) return null;
  const [, kind, body, check] = match;
  return kind && body && checksum(kind, body) === check ? kind : null;
}

/** Tokens carry 160 random bits, so a plain SHA-256 is a sufficient at-rest hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Finds strings in free text that are real (checksum-valid) Tessera tokens. */
export function findTokens(text: string): string[] {
  return [...text.matchAll(TOKEN_SEARCH_PATTERN)].map((m) => m[0]).filter((t) => tokenKind(t) !== null);
}

/**
 * Replaces every real (checksum-valid) Tessera token in free text. Exports and API answers pass
 * organiser-typed text through this, so a personal link pasted into a note never leaves again.
 */
export function redactTokens(text: string): string {
  return text.includes('tsr_') ? text.replace(TOKEN_SEARCH_PATTERN, (t) => (tokenKind(t) ? 'tsr_[redacted]' : t)) : text;
}
