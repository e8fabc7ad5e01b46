import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { listCustomFields } from '../custom-fields/index.js';
import { getEvent } from '../events/index.js';
import { TEMPLATE_TYPES, type EmailTemplate, type TemplateInput, type TemplateType } from './emailing.types.js';
import { checkEventTags, checkTemplateSources, type TemplateProblem, type TemplateSources } from './template-check.js';
import { lintTemplate, type LintOptions } from './template-lint.js';
import { deleteTemplateRow, findLinksOfTemplate, findTemplate, findTemplates, insertTemplate, templateInUse, updateTemplateRow } from './template.repository.js';

/** What template checks need from the configuration. */
export type EmailingSettings = LintOptions;

const MAX_BODY_LENGTH = 500_000;

function invalid(path: string, message: string): TemplateProblem {
  return { path, rule: 'invalid', message };
}

function normalise(input: TemplateInput): { value: TemplateSources & { name: string }; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = [];
  const name = String(input.name ?? '').trim();
  const subject = String(input.subject ?? '').trim();
  const html = String(input.html ?? '');
  const text = typeof input.text === 'string' && input.text.trim() !== '' ? input.text : null;
  if (!TEMPLATE_TYPES.includes(input.type)) problems.push(invalid('/type', 'Unknown template type'));
  if (!name || name.length > 200) problems.push(invalid('/name', 'Give the template a name of at most 200 characters'));
  if (!subject || subject.length > 500) problems.push(invalid('/subject', 'Write a subject of at most 500 characters'));
  if (/[\r\n]/.test(subject)) problems.push(invalid('/subject', 'The subject is a single line'));
  if (!html.trim()) problems.push(invalid('/html', 'Write the HTML body'));
  if (html.length > MAX_BODY_LENGTH || (text?.length ?? 0) > MAX_BODY_LENGTH) problems.push(invalid('/html', 'A body is at most 500,000 characters'));
  return { value: { type: input.type, name, subject, html, text }, problems };
}

/**
 * Every reason this template cannot be saved, without saving: syntax, unknown merge tags (with
 * the event's custom fields), and the linter's refusals. The editor shows them as the user types.
 * With `now`, an event's template also hears of tags the event cannot serve at this time.
 */
export async function checkTemplate(db: Db, orgId: string, eventId: string | null, input: TemplateInput, settings: EmailingSettings, now?: Date): Promise<TemplateProblem[]> {
  const { value, problems } = normalise(input);
  if (problems.length > 0) return problems;
  const fieldKeys = eventId ? (await listCustomFields(db, orgId, eventId)).map((f) => f.key) : null;
  const found = [...checkTemplateSources(value, fieldKeys), ...lintTemplate(value, settings)];
  if (found.length > 0 || !eventId || !now) return found;
  return checkEventTags(db, orgId, eventId, value, now);
}

async function validated(db: Db, orgId: string, eventId: string | null, input: TemplateInput, settings: EmailingSettings, now: Date) {
  const problems = await checkTemplate(db, orgId, eventId, input, settings, now);
  if (problems.length > 0) {
    const unknown = problems.filter((p) => p.rule === 'unknown_tag').map((p) => p.tag);
    const message = unknown.length > 0 ? `Unknown merge tags: ${unknown.join(', ')}` : problems.map((p) => p.message).join('; ');
    throw new DomainError('template_invalid', message, problems);
  }
  return normalise(input).value;
}

export async function getTemplate(db: Db, orgId: string, templateId: string): Promise<EmailTemplate> {
  const template = isId(templateId) ? await findTemplate(db, orgId, templateId) : null;
  if (!template) throw new DomainError('not_found', 'Template not found');
  return template;
}

/** Organisation-level templates, and an event's own when an event is given; optionally one type. */
export async function listTemplates(db: Db, orgId: string, filter: { eventId?: string | null; type?: TemplateType } = {}): Promise<EmailTemplate[]> {
  return findTemplates(db, orgId, filter);
}

export async function createTemplate(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string | null,
  input: TemplateInput,
  settings: EmailingSettings,
): Promise<EmailTemplate> {
  if (eventId) await getEvent(db, orgId, eventId);
  const value = await validated(db, orgId, eventId, input, settings, ctx.clock.now());
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  const row = { id, org_id: orgId, event_id: eventId, type: value.type, name: value.name, subject: value.subject, html: value.html, text: value.text, created_at: now, updated_at: now };
  await insertTemplate(db, row);
  await audit(db, ctx, actor, { orgId, action: 'email_template.created', target: { type: 'email_template', id }, data: { name: value.name, type: value.type, eventId } });
  return { id, orgId, eventId, type: value.type, name: value.name, subject: value.subject, html: value.html, text: value.text, createdAt: now, updatedAt: now };
}

/** The level (organisation or event) of a template never changes: links and campaigns rely on it. */
export async function updateTemplate(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  templateId: string,
  input: TemplateInput,
  settings: EmailingSettings,
): Promise<EmailTemplate> {
  const current = await getTemplate(db, orgId, templateId);
  const value = await validated(db, orgId, current.eventId, input, settings, ctx.clock.now());
  if (value.type !== current.type && (await findLinksOfTemplate(db, orgId, templateId)).length > 0) {
    throw new DomainError('template_in_use', 'This template is linked to actions: unlink it before changing its type');
  }
  // A strictly later timestamp: the worker's parse cache is keyed by it.
  const now = new Date(Math.max(ctx.clock.now().getTime(), Date.parse(current.updatedAt) + 1)).toISOString();
  await updateTemplateRow(db, orgId, templateId, { type: value.type, name: value.name, subject: value.subject, html: value.html, text: value.text, updated_at: now });
  await audit(db, ctx, actor, { orgId, action: 'email_template.updated', target: { type: 'email_template', id: templateId }, data: { name: value.name, type: value.type } });
  return { ...current, type: value.type, name: value.name, subject: value.subject, html: value.html, text: value.text, updatedAt: now };
}

export async function deleteTemplate(db: Db, ctx: Ctx, actor: Actor, orgId: string, templateId: string): Promise<void> {
  const current = await getTemplate(db, orgId, templateId);
  if ((await findLinksOfTemplate(db, orgId, templateId)).length > 0 || (await templateInUse(db, orgId, templateId))) {
    throw new DomainError('template_in_use', 'This template is linked to an action, used by a campaign or has messages waiting to be sent');
  }
  await deleteTemplateRow(db, orgId, templateId);
  await audit(db, ctx, actor, { orgId, action: 'email_template.deleted', target: { type: 'email_template', id: templateId }, data: { name: current.name } });
}
