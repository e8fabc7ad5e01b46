import type { Db, EmailTemplatesTable, TemplateLinksTable, TemplateType } from '../../db/database.js';
import type { EmailTemplate } from './emailing.types.js';

export function templateFromRow(row: EmailTemplatesTable): EmailTemplate {
  return {
    id: row.id,
    orgId: row.org_id,
    eventId: row.event_id,
    type: row.type,
    name: row.name,
    subject: row.subject,
    html: row.html,
    text: row.text,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertTemplate(db: Db, row: EmailTemplatesTable): Promise<void> {
  await db.insertInto('email_templates').values(row).execute();
}

export async function updateTemplateRow(db: Db, orgId: string, id: string, values: Partial<EmailTemplatesTable>): Promise<void> {
  await db.updateTable('email_templates').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteTemplateRow(db: Db, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('email_templates').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function findTemplate(db: Db, orgId: string, id: string): Promise<EmailTemplate | null> {
  const row = await db.selectFrom('email_templates').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row ? templateFromRow(row) : null;
}

/** For the worker: the templates of one batch of messages, in one query. */
export async function findTemplatesByIds(db: Db, ids: string[]): Promise<EmailTemplate[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('email_templates').selectAll().where('id', 'in', ids).execute();
  return rows.map(templateFromRow);
}

/**
 * Organisation-level templates, plus those of one event when an event is given (an event sees
 * both levels). Optionally of one type: later capabilities look templates up by type.
 */
export async function findTemplates(db: Db, orgId: string, filter: { eventId?: string | null; type?: TemplateType }): Promise<EmailTemplate[]> {
  let query = db.selectFrom('email_templates').selectAll().where('org_id', '=', orgId);
  const eventId = filter.eventId;
  query = eventId ? query.where((eb) => eb.or([eb('event_id', 'is', null), eb('event_id', '=', eventId)])) : query.where('event_id', 'is', null);
  if (filter.type) query = query.where('type', '=', filter.type);
  const rows = await query.orderBy('name').orderBy('id').execute();
  return rows.map(templateFromRow);
}

export async function upsertTemplateLink(db: Db, row: TemplateLinksTable): Promise<void> {
  await db
    .insertInto('template_links')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'scope', 'action']).doUpdateSet({ template_id: row.template_id, updated_at: row.updated_at }))
    .execute();
}

export async function deleteTemplateLink(db: Db, orgId: string, scope: string, action: string): Promise<number> {
  const result = await db.deleteFrom('template_links').where('org_id', '=', orgId).where('scope', '=', scope).where('action', '=', action).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The links that apply to an action in an event: the event's own, then the organisation's. */
export async function findTemplateLinks(db: Db, orgId: string, scopes: string[], action: string): Promise<TemplateLinksTable[]> {
  return db.selectFrom('template_links').selectAll().where('org_id', '=', orgId).where('scope', 'in', scopes).where('action', '=', action).execute();
}

export async function findLinksOfTemplate(db: Db, orgId: string, templateId: string): Promise<TemplateLinksTable[]> {
  return db.selectFrom('template_links').selectAll().where('org_id', '=', orgId).where('template_id', '=', templateId).execute();
}

/** Whether messages still waiting to be sent, or campaigns, use this template. */
export async function templateInUse(db: Db, orgId: string, templateId: string): Promise<boolean> {
  const pending = await db
    .selectFrom('outbox')
    .select('id')
    .where('org_id', '=', orgId)
    .where('template_id', '=', templateId)
    .where('status', 'in', ['queued', 'sending'])
    .limit(1)
    .executeTakeFirst();
  if (pending) return true;
  const campaign = await db.selectFrom('campaigns').select('id').where('org_id', '=', orgId).where('template_id', '=', templateId).limit(1).executeTakeFirst();
  return campaign !== undefined;
}
