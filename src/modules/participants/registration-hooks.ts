import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';

/**
 * What must happen whenever participants become registered, whatever the path (back-office,
 * import, public page, secure link, RSVP, API): all of them go through this module's writes, which
 * call the hooks in the same transaction. Capabilities that depend on participants (access codes)
 * register here when they load, so participants need not import them.
 */
export type RegisteredHook = (db: Db, ctx: Ctx, orgId: string, eventId: string, participantIds: readonly string[]) => Promise<void>;

const hooks: RegisteredHook[] = [];

export function onParticipantsRegistered(hook: RegisteredHook): void {
  hooks.push(hook);
}

export async function participantsRegistered(db: Db, ctx: Ctx, orgId: string, eventId: string, participantIds: readonly string[]): Promise<void> {
  if (participantIds.length === 0) return;
  for (const hook of hooks) await hook(db, ctx, orgId, eventId, participantIds);
}
