import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { listCustomFields, type CustomField } from '../../modules/custom-fields/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import type { Role } from '../../modules/organisations/index.js';
import { eventPath, paramsOf } from './event-ui.js';

/** What every emailing page of an event needs: who asks, the event, its custom fields. */
export interface EmailPage {
  access: OrgAccess;
  event: Event;
  fields: CustomField[];
  /** `/admin/o/:orgId/events/:eventId` */
  eventBase: string;
}

/** The role is checked before the event is looked up: a non-member learns nothing (404). */
export async function loadEmailPage(app: FastifyInstance, request: FastifyRequest, minimum: Role): Promise<EmailPage> {
  const { orgId, eventId } = paramsOf(request);
  const access = await requireOrg(app, request, orgId!, minimum);
  const event = await getEvent(app.deps.db, access.org.id, eventId!);
  const fields = await listCustomFields(app.deps.db, access.org.id, event.id);
  return { access, event, fields, eventBase: eventPath(access.org.id, event.id) };
}
