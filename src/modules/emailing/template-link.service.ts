import type { Db } from '../../db/database.js';
import { systemActor, type Actor, type Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../audit/index.js';
import { getEvent } from '../events/index.js';
import type { EmailTemplate, TemplateType } from './emailing.types.js';
import { deleteTemplateLink, findTemplate, findTemplateLinks, insertTemplate, upsertTemplateLink } from './template.repository.js';
import { newId } from '../../lib/ids.js';
import { getTemplate } from './template.service.js';

/** Something Tessera does that sends an email, e.g. 'credentials.resend'. */
export interface EmailAction {
  name: string;
  description: string;
  /** Template types that fit the action (a credentials email for "resend credentials"). */
  types: readonly TemplateType[];
  /**
   * A built-in template for mail Tessera must always be able to send (sign-in links, fresh
   * links, address confirmations): used when the organiser linked none, and written into the
   * organisation's templates at first use so it can be read and edited like any other.
   * Actions without one refuse with 'template_not_linked' instead.
   */
  fallback?: BuiltInTemplate | undefined;
}

export interface BuiltInTemplate {
  type: TemplateType;
  name: string;
  subject: string;
  html: string;
  text?: string | undefined;
}

const ACTION_NAME = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/;
const actions = new Map<string, EmailAction>();

/** Capabilities declare the actions they send mail for, so the back-office can offer to link them. */
export function registerEmailAction(action: EmailAction): void {
  if (!ACTION_NAME.test(action.name)) throw new Error(`invalid email action name "${action.name}"`);
  if (actions.has(action.name)) throw new Error(`email action "${action.name}" is already registered`);
  actions.set(action.name, Object.freeze({ ...action, types: [...action.types] }));
}

export function listEmailActions(): EmailAction[] {
  return [...actions.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const ORG_SCOPE = 'org';

function knownAction(name: string): EmailAction {
  const action = actions.get(name);
  if (!action) throw new DomainError('validation_failed', `Unknown action "${name.slice(0, 60)}"`, [{ path: '/action', message: 'Unknown action' }]);
  return action;
}

/**
 * Links a template to an action, for one event or (eventId null) for every event of the
 * organisation. An event's own link wins over the organisation's.
 */
export async function linkTemplate(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string | null, actionName: string, templateId: string): Promise<void> {
  const action = knownAction(actionName);
  if (eventId) await getEvent(db, orgId, eventId);
  const template = await getTemplate(db, orgId, templateId);
  if (template.eventId !== null && template.eventId !== eventId) {
    throw new DomainError('validation_failed', 'This template belongs to another event', [{ path: '/templateId', message: 'Template of another event' }]);
  }
  if (!action.types.includes(template.type)) {
    const message = `"${action.description}" needs a template of type ${action.types.join(' or ')}`;
    throw new DomainError('validation_failed', message, [{ path: '/templateId', message }]);
  }
  const scope = eventId ?? ORG_SCOPE;
  await upsertTemplateLink(db, { org_id: orgId, scope, action: action.name, template_id: templateId, updated_at: ctx.clock.now().toISOString() });
  await audit(db, ctx, actor, { orgId, action: 'email_template.linked', target: { type: 'email_template', id: templateId }, data: { action: action.name, eventId } });
}

export async function unlinkTemplate(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string | null, actionName: string): Promise<void> {
  const removed = await deleteTemplateLink(db, orgId, eventId ?? ORG_SCOPE, actionName);
  if (removed === 0) return;
  await audit(db, ctx, actor, { orgId, action: 'email_template.unlinked', target: null, data: { action: actionName, eventId } });
}

/**
 * The template to send for an action: the event's link, else the organisation's. Refuses with
 * 'template_not_linked' (and the action's description) when the organiser has linked none, so the
 * caller can say exactly what to set up instead of sending nothing.
 */
export async function templateForAction(db: Db, ctx: Ctx, orgId: string, eventId: string | null, actionName: string): Promise<EmailTemplate> {
  const action = knownAction(actionName);
  const links = await findTemplateLinks(db, orgId, eventId ? [eventId, ORG_SCOPE] : [ORG_SCOPE], action.name);
  const link = links.find((l) => l.scope === eventId) ?? links.find((l) => l.scope === ORG_SCOPE);
  const template = link ? await findTemplate(db, orgId, link.template_id) : null;
  if (!template && action.fallback) return installBuiltIn(db, ctx, orgId, action, action.fallback);
  if (!template) {
    throw new DomainError('template_not_linked', `No email template is linked to "${action.description}": link one in the event's or the organisation's email settings`, {
      action: action.name,
    });
  }
  return template;
}

/**
 * Writes a ready-made template into a new event and links it to the action for that event, so
 * the event works out of the box (the organiser edits, replaces or unlinks it like any other).
 */
export async function installEventTemplate(db: Db, ctx: Ctx, orgId: string, eventId: string, actionName: string, builtIn: BuiltInTemplate): Promise<EmailTemplate> {
  const action = knownAction(actionName);
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  await insertTemplate(db, { id, org_id: orgId, event_id: eventId, type: builtIn.type, name: builtIn.name, subject: builtIn.subject, html: builtIn.html, text: builtIn.text ?? null, created_at: now, updated_at: now });
  await upsertTemplateLink(db, { org_id: orgId, scope: eventId, action: action.name, template_id: id, updated_at: now });
  await audit(db, ctx, systemActor, { orgId, action: 'email_template.created', target: { type: 'email_template', id }, data: { name: builtIn.name, eventId, readyMadeFor: action.name } });
  return (await findTemplate(db, orgId, id))!;
}

/**
 * Writes an action's built-in template into the organisation (once) and links it organisation
 * wide, so the mail goes out and the organiser finds the template in the list to adapt it.
 */
async function installBuiltIn(db: Db, ctx: Ctx, orgId: string, action: EmailAction, builtIn: BuiltInTemplate): Promise<EmailTemplate> {
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  const row = { id, org_id: orgId, event_id: null, type: builtIn.type, name: builtIn.name, subject: builtIn.subject, html: builtIn.html, text: builtIn.text ?? null, created_at: now, updated_at: now };
  await insertTemplate(db, row);
  await upsertTemplateLink(db, { org_id: orgId, scope: ORG_SCOPE, action: action.name, template_id: id, updated_at: now });
  await audit(db, ctx, systemActor, { orgId, action: 'email_template.created', target: { type: 'email_template', id }, data: { name: builtIn.name, builtInFor: action.name } });
  return (await findTemplate(db, orgId, id))!;
}
