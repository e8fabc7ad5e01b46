import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import type { Event } from './event.types.js';

/**
 * What capabilities set up in every new event (the ready-made credentials template), run by
 * createEvent right after the event row is written. Capabilities register when they load, so the
 * events module needs to know none of them.
 */
export type EventCreatedHook = (db: Db, ctx: Ctx, event: Event) => Promise<void>;

const hooks: EventCreatedHook[] = [];

export function onEventCreated(hook: EventCreatedHook): void {
  hooks.push(hook);
}

export async function eventCreated(db: Db, ctx: Ctx, event: Event): Promise<void> {
  for (const hook of hooks) await hook(db, ctx, event);
}
