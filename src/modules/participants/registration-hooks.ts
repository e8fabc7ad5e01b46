import type { Db, ParticipantStatus } from '../../db/database.js';
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

/** A participant's status as it changed in one write. */
export interface StatusChange {
  participantId: string;
  from: ParticipantStatus;
  to: ParticipantStatus;
}

/**
 * What must follow any status change in the same transaction, whatever the path (QR codes: a
 * cancelled participant's code joins the revocation list). Called only with real changes.
 */
export type StatusChangedHook = (db: Db, ctx: Ctx, orgId: string, eventId: string, changes: readonly StatusChange[]) => Promise<void>;

const statusHooks: StatusChangedHook[] = [];

export function onParticipantStatusChanged(hook: StatusChangedHook): void {
  statusHooks.push(hook);
}

export async function participantStatusChanged(db: Db, ctx: Ctx, orgId: string, eventId: string, changes: readonly StatusChange[]): Promise<void> {
  if (changes.length === 0) return;
  for (const hook of statusHooks) await hook(db, ctx, orgId, eventId, changes);
}
