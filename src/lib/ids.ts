import { encodeBase32 } from './base32.js';
import type { Clock } from './clock.js';
import type { Random } from './random.js';

// Crockford base32: ids sort by creation time (index locality) and carry 80 random bits.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_PATTERN = /^[0-9a-hjkmnp-tv-z]{26}$/;

// Monotonic within one process: ids made in the same millisecond still sort in creation order
// (the audit log and keyset pages rely on it), by incrementing the previous random part.
let lastTime = -1;
let lastRandom: Buffer = Buffer.alloc(10);

function increment(bytes: Buffer): Buffer {
  const next = Buffer.from(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    next[i] = (next[i]! + 1) & 255;
    if (next[i] !== 0) break;
  }
  return next;
}


export function newId(clock: Clock, random: Random): string {
  let time = clock.now().getTime();
  if (time <= lastTime) {
    time = lastTime;
    lastRandom = increment(lastRandom);
  } else {
    lastTime = time;
    lastRandom = random.bytes(10);
  }
  let head = '';
  for (let i = 0, t = time; i < 10; i++) {
    head = ALPHABET[t % 32] + head;
    t = Math.floor(t / 32);
  }
  return head + encodeBase32(lastRandom, ALPHABET);
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export const ID_REGEX_SOURCE = '^[0-9a-hjkmnp-tv-z]{26}$';
