import type { Clock } from './clock.js';
import type { Random } from './random.js';

/** What every service needs besides the database: time and randomness, both injectable. */
export interface Ctx {
  clock: Clock;
  random: Random;
}

/** Who is acting, for the audit log and for scoping. Never carries a secret. */
export interface Actor {
  type: 'staff' | 'api_key' | 'system' | 'attendee' | 'cli' | 'anonymous';
  id: string | null;
  label: string | null;
  ip: string | null;
}

export const systemActor: Actor = { type: 'system', id: null, label: 'system', ip: null };
