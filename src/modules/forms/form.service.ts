import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { slugify } from '../../lib/text.js';
import { audit } from '../audit/index.js';
import { listCustomFields, type CustomField } from '../custom-fields/index.js';
import { deleteFormRow, findFirstUpdateForm, findFormById, findFormBySlug, findForms, insertForm, updateFormRow } from './form.repository.js';
import { REGISTRATION_SLUG, type EventForm, type RegistrationFormInput, type UpdateFormInput } from './form.types.js';

const MAX_TITLE = 200;
const MAX_INTRO = 2000;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/;

function invalid(field: string, message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path: `/${field}`, message }]);
}

/** What an event's registration form is until the organiser changes it. */
export function defaultRegistrationForm(orgId: string, eventId: string): EventForm {
  return {
    id: null,
    orgId,
    eventId,
    kind: 'registration',
    slug: REGISTRATION_SLUG,
    title: 'Registration',
    intro: '',
    fieldKeys: [],
    allowEmailChange: false,
    closesAt: null,
    createdAt: null,
    updatedAt: null,
  };
}

/**
 * Stores the event's registration form the first time it is changed (reading never writes).
 * Insert-or-nothing on the (event, slug) index, so two first edits store one.
 */
async function ensureRegistrationForm(db: Db, ctx: Ctx, orgId: string, eventId: string): Promise<EventForm> {
  const now = ctx.clock.now().toISOString();
  const form = defaultRegistrationForm(orgId, eventId);
  await db
    .insertInto('event_forms')
    .values({
      id: newId(ctx.clock, ctx.random),
      org_id: orgId,
      event_id: eventId,
      kind: 'registration',
      slug: REGISTRATION_SLUG,
      title: form.title,
      intro: '',
      field_keys: '[]',
      allow_email_change: 0,
      closes_at: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['event_id', 'slug']).doNothing())
    .execute();
  return (await findFormBySlug(db, orgId, eventId, REGISTRATION_SLUG))!;
}

/** The event's forms, registration form first (its defaults when it was never changed). */
export async function listForms(db: Db, orgId: string, eventId: string): Promise<EventForm[]> {
  const forms = await findForms(db, orgId, eventId);
  const registration = forms.find((f) => f.kind === 'registration') ?? defaultRegistrationForm(orgId, eventId);
  return [registration, ...forms.filter((f) => f.kind !== 'registration')];
}

/** A form by id, or the registration form by its slug (it may not be stored yet). */
export async function getForm(db: Db, orgId: string, eventId: string, formRef: string): Promise<EventForm> {
  const form =
    formRef === REGISTRATION_SLUG ? await findFormForSlug(db, orgId, eventId, REGISTRATION_SLUG) : isId(formRef) ? await findFormById(db, orgId, eventId, formRef) : null;
  if (!form) throw new DomainError('not_found', 'Form not found');
  return form;
}

/** The form a page or a link names, or null; the registration form always exists. */
export async function findFormForSlug(db: Db, orgId: string, eventId: string, slug: string): Promise<EventForm | null> {
  if (!SLUG.test(slug)) return null;
  const form = await findFormBySlug(db, orgId, eventId, slug);
  if (form) return form;
  return slug === REGISTRATION_SLUG ? defaultRegistrationForm(orgId, eventId) : null;
}

/** What `update_link` opens: the event's first update form, or the registration form when none. */
export async function updateLinkForm(db: Db, orgId: string, eventId: string): Promise<EventForm> {
  return (await findFirstUpdateForm(db, orgId, eventId)) ?? (await findFormForSlug(db, orgId, eventId, REGISTRATION_SLUG))!;
}

/** The custom fields a form shows, in its order; fields deleted since are left out. */
export function fieldsOfForm(form: EventForm, fields: CustomField[]): CustomField[] {
  if (form.kind === 'registration') return fields;
  const byKey = new Map(fields.map((f) => [f.key, f]));
  return form.fieldKeys.map((key) => byKey.get(key)).filter((f): f is CustomField => f !== undefined);
}

export function isFormClosed(form: EventForm, now: Date): boolean {
  return form.closesAt !== null && form.closesAt <= now.toISOString();
}

interface CheckedCommon {
  title: string;
  intro: string;
  closesAt: string | null;
}

function checkCommon(input: { title: string; intro?: string | undefined; closesAt: string | null }): CheckedCommon {
  const title = input.title.trim();
  if (!title || title.length > MAX_TITLE) throw invalid('title', `Give the form a title of at most ${MAX_TITLE} characters`);
  const intro = (input.intro ?? '').trim();
  if (intro.length > MAX_INTRO) throw invalid('intro', `The introduction is at most ${MAX_INTRO} characters`);
  let closesAt: string | null = null;
  if (input.closesAt !== null) {
    const at = new Date(input.closesAt);
    if (Number.isNaN(at.getTime())) throw invalid('closesAt', 'Closing time is not a valid date and time');
    closesAt = at.toISOString();
  }
  return { title, intro, closesAt };
}

async function checkFieldKeys(db: Db, orgId: string, eventId: string, keys: string[], allowEmailChange: boolean): Promise<string[]> {
  const known = new Set((await listCustomFields(db, orgId, eventId)).map((f) => f.key));
  const chosen = [...new Set(keys)];
  const unknown = chosen.find((k) => !known.has(k));
  if (unknown !== undefined) throw invalid('fieldKeys', `Unknown field "${unknown.slice(0, 40)}"`);
  if (chosen.length === 0 && !allowEmailChange) throw invalid('fieldKeys', 'Choose at least one field to show (or allow an email change)');
  return chosen;
}

/** A slug from the title, unique in the event; fixed once created, since links carry it. */
async function freeSlug(db: Db, orgId: string, eventId: string, title: string): Promise<string> {
  const base = (slugify(title).slice(0, 50).replace(/-+$/, '') || 'form').replace(/^register$/, 'register-update');
  for (let n = 1; n < 100; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    if (!(await findFormBySlug(db, orgId, eventId, slug))) return slug;
  }
  throw invalid('title', 'Too many forms with this title');
}

export async function createUpdateForm(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: UpdateFormInput): Promise<EventForm> {
  const common = checkCommon(input);
  const fieldKeys = await checkFieldKeys(db, orgId, eventId, input.fieldKeys, input.allowEmailChange);
  const slug = await freeSlug(db, orgId, eventId, common.title);
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  await insertForm(db, {
    id,
    org_id: orgId,
    event_id: eventId,
    kind: 'update',
    slug,
    title: common.title,
    intro: common.intro,
    field_keys: JSON.stringify(fieldKeys),
    allow_email_change: input.allowEmailChange ? 1 : 0,
    closes_at: common.closesAt,
    created_at: now,
    updated_at: now,
  });
  await audit(db, ctx, actor, { orgId, action: 'form.created', target: { type: 'form', id }, data: { eventId, slug, fieldKeys, closesAt: common.closesAt, allowEmailChange: input.allowEmailChange } });
  return getForm(db, orgId, eventId, id);
}

/** Changes a form; the registration form keeps showing every field whatever is passed. */
export async function updateForm(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  formRef: string,
  input: UpdateFormInput | RegistrationFormInput,
): Promise<EventForm> {
  const found = await getForm(db, orgId, eventId, formRef);
  const form = found.id === null ? await ensureRegistrationForm(db, ctx, orgId, eventId) : found;
  const formId = form.id!;
  const common = checkCommon(input);
  const fieldKeys = form.kind === 'update' && 'fieldKeys' in input ? await checkFieldKeys(db, orgId, eventId, input.fieldKeys, input.allowEmailChange) : form.fieldKeys;
  await updateFormRow(db, orgId, formId, {
    title: common.title,
    intro: common.intro,
    field_keys: JSON.stringify(fieldKeys),
    allow_email_change: input.allowEmailChange ? 1 : 0,
    closes_at: common.closesAt,
    updated_at: ctx.clock.now().toISOString(),
  });
  await audit(db, ctx, actor, { orgId, action: 'form.updated', target: { type: 'form', id: formId }, data: { eventId, slug: form.slug, fieldKeys, closesAt: common.closesAt, allowEmailChange: input.allowEmailChange } });
  return getForm(db, orgId, eventId, formId);
}

/** Deletes an update form; links to it then open a page saying the form no longer exists. */
export async function deleteForm(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, formRef: string): Promise<void> {
  const form = await getForm(db, orgId, eventId, formRef);
  const formId = form.id!;
  if (form.kind === 'registration' || !form.id) throw new DomainError('conflict', 'The registration form cannot be deleted: close registration instead');
  await deleteFormRow(db, orgId, formId);
  await audit(db, ctx, actor, { orgId, action: 'form.deleted', target: { type: 'form', id: formId }, data: { eventId, slug: form.slug } });
}
