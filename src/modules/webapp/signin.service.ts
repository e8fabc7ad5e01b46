import type { Db } from '../../db/database.js';
import { systemActor, type Actor, type Ctx } from '../../lib/context.js';
import { audit } from '../audit/index.js';
import { revokeCredentials } from '../credentials/index.js';
import { enqueueEmail, templateForAction } from '../emailing/index.js';
import type { Event } from '../events/index.js';
import { findParticipantByEmail } from '../participants/index.js';
import { appOpenTo } from './app-access.js';
import { SIGNIN_ACTION } from './webapp-tags.js';

/**
 * "Email me a sign-in link": queues a one-time link to a participant of the event for whom the
 * app is open, after revoking their earlier unused sign-in links. The caller answers the same
 * whatever this returns (true: a message was queued), so the page tells nobody who is
 * registered. The address typed is only used to look the participant up: the email goes to the
 * address on file.
 * Unknown addresses cost the same lookup and the same kind of transaction (the request is audited
 * either way, which also shows an organiser someone probing addresses): only the revocation and
 * the outbox row are left out, so the answer takes about as long.
 */
export async function requestSignInLink(db: Db, ctx: Ctx, actor: Actor, event: Event, email: string): Promise<boolean> {
  const found = await findParticipantByEmail(db, event.orgId, event.id, email);
  const participant = found && appOpenTo(found) ? found : null;
  await db.transaction().execute(async (trx) => {
    const subject = participant ? { type: 'participant' as const, id: participant.id } : null;
    if (participant && subject) {
      await revokeCredentials(trx, ctx, systemActor, event.orgId, { subject, eventId: event.id, purpose: 'signin', reason: 'superseded' });
      const template = await templateForAction(trx, ctx, event.orgId, event.id, SIGNIN_ACTION);
      const name = [participant.firstName, participant.lastName].filter(Boolean).join(' ');
      await enqueueEmail(trx, ctx, {
        orgId: event.orgId,
        eventId: event.id,
        templateId: template.id,
        category: 'transactional',
        recipient: { kind: 'participant', id: participant.id, email: participant.email, name },
        data: {},
      });
    }
    await audit(trx, ctx, actor, { orgId: event.orgId, action: 'app.signin_link_requested', target: subject, data: { eventId: event.id, sent: participant !== null } });
  });
  return participant !== null;
}
