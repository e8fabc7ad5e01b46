import type { Clock } from './clock.js';
import type { Random } from './random.js';

// Crockford base32: ids sort by creation time (index locality) and carry 80 random bits.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_PATTERN = /^[0-9a-hjkmnp-tv-z]{26}$/;

export function newId(clock: Clock, random: Random): string {
  let time = clock.now().getTime();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const bytes = random.bytes(10);
  let tail = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      tail += ALPHABET[(buffer >> bits) & 31];
    }
  }
  return head + tail;
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export const ID_REGEX_SOURCE = '^[0-9a-hjkmnp-tv-z]{26}$';
