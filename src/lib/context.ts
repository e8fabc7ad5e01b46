import type { Clock } from './clock.js';
import type { ServerKeys } from './keyring.js';
import type { Random } from './random.js';

/**
 * What every service needs besides the database: time, randomness and the server's secrets, all
 * injected (tests move the clock; a service never reads a key from the environment).
 */
export interface Ctx {
  clock: Clock;
  random: Random;
  keys: ServerKeys;
}

/** Who is acting, for the audit log and for scoping. Never carries a secret. */
export interface Actor {
  type: 'staff' | 'api_key' | 'system' | 'attendee' | 'cli' | 'anonymous' | 'sponsor' | 'customer';
  id: string | null;
  label: string | null;
  ip: string | null;
}

export const systemActor: Actor = { type: 'system', id: null, label: 'system', ip: null };
