import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { audit } from '../audit/index.js';
import { expiryFor, mintCredential, type Credential } from '../credentials/index.js';
import type { Event } from '../events/index.js';
import { roleAtLeast, roleOf, type Role } from '../organisations/index.js';
import type { Participant } from '../participants/index.js';

/** The least role that may look at the app as an attendee (scanners only check people in). */
export const PREVIEW_ROLE: Role = 'staff';

/**
 * Mints a staff preview link ("access the app as"): one use, 15 minutes, bound to the staff
 * member who asked, so that only their own back-office session can open it. The raw token goes
 * straight into the redirect to its landing page and is never stored or shown anywhere else.
 */
export async function createPreviewLink(db: Db, ctx: Ctx, actor: Actor & { id: string }, event: Event, participant: Participant): Promise<string> {
  const { token, credential } = await mintCredential(db, ctx, {
    purpose: 'preview',
    orgId: event.orgId,
    eventId: event.id,
    subject: { type: 'participant', id: participant.id, email: participant.email },
    expiresAt: expiryFor({ purpose: 'preview', now: ctx.clock.now(), event }),
    singleUse: true,
    issuedBy: actor.id,
  });
  await audit(db, ctx, actor, {
    orgId: event.orgId,
    action: 'participant.preview_link_created',
    target: { type: 'participant', id: participant.id },
    data: { eventId: event.id, credentialId: credential.id },
  });
  return token;
}

/**
 * Whether this staff member may see or use this preview link, or go on using the session it
 * opened: the one who issued it, still a member of its organisation with the preview role.
 */
export async function previewAllowed(db: Db, staffId: string | null | undefined, preview: Pick<Credential, 'issuedBy' | 'orgId'>): Promise<boolean> {
  if (!staffId || preview.issuedBy !== staffId) return false;
  const role = await roleOf(db, preview.orgId, staffId);
  return role !== null && roleAtLeast(role, PREVIEW_ROLE);
}

/** A preview was opened: written under the staff member, about the attendee. */
export async function recordPreviewOpened(db: Db, ctx: Ctx, actor: Actor, preview: Credential): Promise<void> {
  await audit(db, ctx, actor, {
    orgId: preview.orgId,
    action: 'participant.previewed',
    target: { type: 'participant', id: preview.subjectId },
    data: { eventId: preview.eventId, credentialId: preview.id },
  });
}
