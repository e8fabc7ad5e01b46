import { scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Random } from './random.js';

/**
 * scrypt from node:crypto (no native addon to build). Default cost follows the OWASP password
 * storage cheat sheet (N=2^15, r=8, p=3). Parameters are stored with each hash so they can be
 * raised later and old hashes still verify.
 */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, random: Random, cost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = random.bytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of a random password: verifying against it costs the same as against a real one. */
export async function decoyHash(random: Random, cost = DEFAULT_SCRYPT_COST): Promise<string> {
  return hashPassword(random.bytes(16).toString('hex'), random, cost);
}
