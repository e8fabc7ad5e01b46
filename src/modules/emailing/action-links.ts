import type { Db } from '../../db/database.js';
import { listEmailActions, type EmailAction } from './template-link.service.js';

export interface ActionLinks {
  action: EmailAction;
  /** The event's own link: it wins over the organisation's. */
  eventTemplateId: string | null;
  /** The organisation-wide default. */
  orgTemplateId: string | null;
}

/** Every registered action with the templates linked to it for this event and organisation-wide. */
export async function listActionLinks(db: Db, orgId: string, eventId: string): Promise<ActionLinks[]> {
  // 'org' is the scope of organisation-wide links (see template-link.service.ts).
  const rows = await db.selectFrom('template_links').select(['scope', 'action', 'template_id']).where('org_id', '=', orgId).where('scope', 'in', [eventId, 'org']).execute();
  const linked = (action: string, scope: string) => rows.find((r) => r.action === action && r.scope === scope)?.template_id ?? null;
  return listEmailActions().map((action) => ({ action, eventTemplateId: linked(action.name, eventId), orgTemplateId: linked(action.name, 'org') }));
}
