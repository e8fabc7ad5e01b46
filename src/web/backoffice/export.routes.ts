import type { FastifyInstance } from 'fastify';
import { staffActor } from '../../http/actor.js';
import { requireOrg } from '../../http/staff-session.js';
import { listCustomFields } from '../../modules/custom-fields/index.js';
import { getEvent } from '../../modules/events/index.js';
import { exportParticipants } from '../../modules/imports/index.js';
import { paramsOf } from './event-ui.js';
import { ListQuery, listStateOf, participantQueryOf } from './participant-list.js';

/**
 * Participants as CSV, with the list page's filters (the list links here with its own query
 * string). Streamed page by page, so any size downloads in flat memory; audited.
 */
export async function exportRoutes(app: FastifyInstance): Promise<void> {
  const { db, dialect } = app.deps;

  app.get('/admin/o/:orgId/events/:eventId/participants.csv', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'staff');
    const event = await getEvent(db, access.org.id, eventId!);
    const fields = await listCustomFields(db, access.org.id, event.id);
    const { cursor: _ignored, ...state } = listStateOf(request.query);
    const query = participantQueryOf(state, null, fields);
    const { stream } = await exportParticipants(db, dialect, app.deps, staffActor(request), access.org.id, event.id, query);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${event.slug}-participants.csv"`)
      .header('cache-control', 'no-store')
      .send(stream);
  });
}
