import { randomBytes } from 'node:crypto';

/** Randomness is injected so tests can make it reproducible; production uses the CSPRNG. */
export interface Random {
  bytes(size: number): Buffer;
}

export const cryptoRandom: Random = { bytes: (size) => randomBytes(size) };
