import type { FastifyInstance, FastifyRequest } from 'fastify';
import { staffActor } from '../../http/actor.js';
import { requireOrg } from '../../http/staff-session.js';
import { isId } from '../../lib/ids.js';
import { DomainError } from '../../lib/errors.js';
import { getEvent } from '../../modules/events/index.js';
import { getParticipant } from '../../modules/participants/index.js';
import { revokeParticipantLinks } from '../../modules/personal-links/index.js';
import { redirect } from '../page.js';
import { eventPath, paramsOf } from './event-ui.js';

/**
 * Revoking a participant's personal links from their page: one link, or all of them (which
 * also signs the participant out of the app). Admins and owners only; staff see the list.
 */
export async function participantLinkRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId/participants/:participantId/links';

  async function revoke(request: FastifyRequest, linkId: string | null): Promise<string> {
    const { orgId, eventId, participantId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'admin');
    const event = await getEvent(db, access.org.id, eventId!);
    const participant = await getParticipant(db, access.org.id, event.id, participantId!);
    if (linkId !== null && !isId(linkId)) throw new DomainError('not_found', 'Link not found');
    await db.transaction().execute((trx) => revokeParticipantLinks(trx, app.deps, staffActor(request), access.org.id, event.id, participant.id, linkId));
    return `${eventPath(access.org.id, event.id)}/participants/${participant.id}?done=revoked#personal-links`;
  }

  app.post(`${base}/:linkId/revoke`, async (request, reply) => redirect(reply, await revoke(request, paramsOf(request)['linkId']!)));
  app.post(`${base}/revoke-all`, async (request, reply) => redirect(reply, await revoke(request, null)));
}
