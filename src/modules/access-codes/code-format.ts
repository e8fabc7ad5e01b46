import type { Random } from '../../lib/random.js';

/**
 * Generated codes: 9 characters from an alphabet of 31 with no look-alikes (no 0/O, 1/I/L), so
 * 44.6 bits, shown as XXX-XXX-XXX. Typed codes are compared after normalising: case, spaces,
 * dashes and dots do not matter, so "abc def ghj" signs in as ABC-DEF-GHJ.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const GENERATED_LENGTH = 9;
export const CODE_BITS = GENERATED_LENGTH * Math.log2(CODE_ALPHABET.length);
export const CHOSEN_MIN_LENGTH = 8;
export const CHOSEN_MAX_LENGTH = 64;

/** Upper-case letters and digits with separators removed, or null when anything else is in it. */
export function normaliseCode(input: string): string | null {
  const code = input.normalize('NFKC').toUpperCase().replace(/[\s.\-_]/g, '');
  if (code.length === 0 || code.length > CHOSEN_MAX_LENGTH || !/^[A-Z0-9]+$/.test(code)) return null;
  return code;
}

/** Groups of three for reading out and copying: ABC-DEF-GHJ. */
export function formatCode(normalised: string): string {
  return normalised.match(/.{1,3}/g)?.join('-') ?? normalised;
}

/**
 * A fresh code from the injected randomness. Bytes of 248 and above are dropped (248 = 8 x 31),
 * so every character is equally likely: no modulo bias.
 */
export function generateCode(random: Random): string {
  let out = '';
  while (out.length < GENERATED_LENGTH) {
    for (const byte of random.bytes(GENERATED_LENGTH + 4)) {
      if (byte >= 248 || out.length === GENERATED_LENGTH) continue;
      out += CODE_ALPHABET[byte % 31];
    }
  }
  return out;
}
