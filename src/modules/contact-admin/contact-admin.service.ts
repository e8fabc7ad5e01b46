import type { ContactKind, Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { isId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { contactFromRow, createContact, getContact, markEmailVerified, type Contact } from '../contacts/index.js';
import { changeEmailByOperator, sendContactMail, validationRequired, VERIFY_ACTION } from '../customers/index.js';
import { listTemplates, type EmailTemplate } from '../emailing/index.js';
import { pointsOfSaleForContactKind, type PointOfSale } from '../shop/index.js';
import { countContacts, findContactPage, findContactsByIds, findStructures, type ContactFilter } from './contact-admin.repository.js';

export const CONTACT_KINDS: readonly ContactKind[] = ['individual', 'structure', 'relay'];
const PAGE = 50;
/** A bulk send queues at most this many emails per click; the operator clicks again for the rest. */
export const BULK_LIMIT = 1000;

function refused(path: string, message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path: `/${path}`, message }]);
}

export interface ContactPage {
  items: Contact[];
  total: number;
  nextCursor: string | null;
}

export async function listContactBook(db: Db, orgId: string, filter: ContactFilter): Promise<ContactPage> {
  const before = filter.before && isId(filter.before) ? filter.before : undefined;
  const [rows, total] = await Promise.all([findContactPage(db, orgId, { ...filter, before }, PAGE + 1), countContacts(db, orgId, { ...filter, before: undefined })]);
  const items = rows.slice(0, PAGE).map(contactFromRow);
  return { items, total, nextCursor: rows.length > PAGE ? (items[items.length - 1]?.id ?? null) : null };
}

/** A contact of the organisation that was not merged away; anything else is "not found". */
export async function liveContact(db: Db, orgId: string, id: string): Promise<Contact> {
  const contact = isId(id) ? await getContact(db, orgId, id) : null;
  if (!contact || contact.mergedInto) throw new DomainError('not_found', 'Contact not found');
  return contact;
}

export async function listStructures(db: Db, orgId: string): Promise<Contact[]> {
  return (await findStructures(db, orgId)).map(contactFromRow);
}

/**
 * What an operator chooses from when a contact gets a validation email (secutix "document type"
 * and "point of sale"): every account-verification template of the organisation (templates are
 * deleted outright, so every stored one is active), and the running points of sale the kind allows.
 */
export interface MailContext {
  templates: EmailTemplate[];
  points: PointOfSale[];
}

export async function mailContextFor(db: Db, orgId: string, kind: ContactKind): Promise<MailContext> {
  const [templates, points] = await Promise.all([listTemplates(db, orgId, { type: 'account_verification' }), pointsOfSaleForContactKind(db, orgId, kind)]);
  return { templates, points };
}

export interface MailChoice {
  templateId: string;
  posId: string;
}

/**
 * Refuses a template or point of sale outside the lists above. An empty template choice is
 * accepted only while the organisation has no account-verification template: the built-in one is
 * then installed and used.
 */
export async function checkedChoice(db: Db, orgId: string, kind: ContactKind, choice: MailChoice): Promise<{ templateId?: string; posId: string }> {
  const { templates, points } = await mailContextFor(db, orgId, kind);
  if (!points.some((p) => p.id === choice.posId)) throw refused('posId', 'Choose one of the running points of sale offered for this kind of contact');
  if (choice.templateId === '' && templates.length === 0) return { posId: choice.posId };
  if (!templates.some((t) => t.id === choice.templateId)) throw refused('templateId', 'Choose one of the account verification templates');
  return { templateId: choice.templateId, posId: choice.posId };
}

export interface OperatorContactInput extends MailChoice {
  kind: ContactKind;
  email: string;
  firstName: string;
  lastName: string;
  structureId: string;
}

async function structureOf(db: Db, orgId: string, kind: ContactKind, structureId: string): Promise<string | null> {
  if (kind === 'structure') return null;
  if (!structureId) {
    if (kind === 'relay') throw refused('structureId', 'A relay belongs to a structure: choose it');
    return null;
  }
  const structure = isId(structureId) ? (await findContactsByIds(db, orgId, [structureId]))[0] : undefined;
  if (!structure || structure.kind !== 'structure' || structure.merged_into) throw refused('structureId', 'Choose one of the structures');
  return structure.id;
}

/**
 * A contact created in the back-office. The operator chose the document type and the point of
 * sale, so the validation email reads right and links to that shop; the email goes out when the
 * organisation requires validation.
 */
export async function createContactByOperator(db: Db, ctx: Ctx, actor: Actor, orgId: string, input: OperatorContactInput): Promise<Contact> {
  if (!CONTACT_KINDS.includes(input.kind)) throw refused('kind', 'Choose a kind of contact');
  const email = canonicalEmail(input.email);
  if (!email) throw refused('email', 'Enter one valid email address');
  const firstName = input.kind === 'structure' ? '' : input.firstName.trim().slice(0, 100);
  const lastName = input.lastName.trim().slice(0, 100);
  if (!lastName) throw refused('lastName', input.kind === 'structure' ? 'The structure needs a name' : 'A last name is required');
  const structureId = await structureOf(db, orgId, input.kind, input.structureId);
  const choice = await checkedChoice(db, orgId, input.kind, input);
  const contact = await createContact(db, ctx, actor, orgId, { email, firstName, lastName, kind: input.kind, structureId });
  if (await validationRequired(db, orgId)) await sendValidation(db, ctx, actor, orgId, contact, choice);
  return contact;
}

async function sendValidation(db: Db, ctx: Ctx, actor: Actor, orgId: string, contact: Contact, choice: { templateId?: string; posId: string }): Promise<void> {
  await sendContactMail(db, ctx, VERIFY_ACTION, { orgId, contact, posId: choice.posId, ...(choice.templateId ? { templateId: choice.templateId } : {}) });
  await audit(db, ctx, actor, { orgId, action: 'contact.validation_email_sent', target: { type: 'contact', id: contact.id }, data: { posId: choice.posId, templateId: choice.templateId ?? null } });
}

/** "Send a validation email" to one contact (contact page, friends & family warning). */
export async function sendValidationEmail(db: Db, ctx: Ctx, actor: Actor, orgId: string, contactId: string, choice: MailChoice): Promise<Contact> {
  const contact = await liveContact(db, orgId, contactId);
  if (contact.emailStatus === 'verified') throw refused('_form', 'This address is already validated');
  await sendValidation(db, ctx, actor, orgId, contact, await checkedChoice(db, orgId, contact.kind, choice));
  return contact;
}

export interface BulkPlan {
  /** Non-validated contacts matching the filter whose kind the point of sale serves. */
  targets: Contact[];
  /** Matching contacts of a kind the point of sale does not serve (individuals and a B2B shop). */
  skipped: number;
  /** More than BULK_LIMIT match: this send takes the first ones. */
  truncated: boolean;
}

/** What a bulk "send validation email" would do: the confirmation page shows these counts. */
export async function planBulkValidation(db: Db, orgId: string, filter: Omit<ContactFilter, 'status' | 'before'>, choice: MailChoice): Promise<BulkPlan> {
  const targets: Contact[] = [];
  let skipped = 0;
  let truncated = false;
  const allowed = new Map<ContactKind, boolean>();
  for (const kind of CONTACT_KINDS) allowed.set(kind, (await pointsOfSaleForContactKind(db, orgId, kind)).some((p) => p.id === choice.posId));
  if (![...allowed.values()].some(Boolean)) throw refused('posId', 'Choose one of the running points of sale');
  let before: string | undefined;
  for (;;) {
    const rows = await findContactPage(db, orgId, { ...filter, status: 'unverified', before }, 500);
    for (const row of rows) {
      if (!allowed.get(row.kind)) skipped += 1;
      else if (targets.length < BULK_LIMIT) targets.push(contactFromRow(row));
      else truncated = true;
    }
    if (rows.length < 500) break;
    before = rows[rows.length - 1]!.id;
  }
  return { targets, skipped, truncated };
}

export async function sendBulkValidation(db: Db, ctx: Ctx, actor: Actor, orgId: string, filter: Omit<ContactFilter, 'status' | 'before'>, choice: MailChoice): Promise<BulkPlan> {
  const plan = await planBulkValidation(db, orgId, filter, choice);
  const templates = await listTemplates(db, orgId, { type: 'account_verification' });
  if (!(choice.templateId === '' && templates.length === 0) && !templates.some((t) => t.id === choice.templateId)) throw refused('templateId', 'Choose one of the account verification templates');
  for (const contact of plan.targets) {
    await sendContactMail(db, ctx, VERIFY_ACTION, { orgId, contact, posId: choice.posId, ...(choice.templateId ? { templateId: choice.templateId } : {}) });
  }
  await audit(db, ctx, actor, { orgId, action: 'contact.validation_emails_sent', target: null, data: { count: plan.targets.length, skipped: plan.skipped, posId: choice.posId, templateId: choice.templateId || null, filter } });
  return plan;
}

/** An operator vouches for the address (admins only, checked by the route); audited by markEmailVerified. */
export async function markValidatedByOperator(db: Db, ctx: Ctx, actor: Actor, orgId: string, contactId: string): Promise<void> {
  const contact = await liveContact(db, orgId, contactId);
  if (contact.emailStatus === 'verified') throw refused('_form', 'This address is already validated');
  await markEmailVerified(db, ctx, actor, orgId, contact.id, 'operator');
}

/**
 * An operator changes the address: the verification email uses the chosen template and point of
 * sale; the customer's current session continues (changeEmailByOperator).
 */
export async function changeEmailAsOperator(db: Db, ctx: Ctx, actor: Actor, orgId: string, contactId: string, input: MailChoice & { email: string }): Promise<void> {
  const contact = await liveContact(db, orgId, contactId);
  const choice = await checkedChoice(db, orgId, contact.kind, input);
  await changeEmailByOperator(db, ctx, actor, orgId, contact.id, { email: input.email, posId: choice.posId, templateId: choice.templateId });
}
