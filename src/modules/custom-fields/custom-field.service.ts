import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import {
  deleteCustomFieldRow,
  findCustomField,
  findCustomFields,
  insertCustomField,
  updateCustomFieldRow,
} from './custom-field.repository.js';
import { FIELD_TYPES, RESERVED_KEYS, type CustomField, type CustomFieldInput } from './custom-field.types.js';

const KEY = /^[a-z][a-z0-9_]{0,39}$/;

function invalid(path: string, message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path: `/${path}`, message }]);
}

function normalise(input: CustomFieldInput) {
  const key = input.key.trim().toLowerCase();
  if (!KEY.test(key)) throw invalid('key', 'The key starts with a letter and uses a-z, 0-9 and _ (at most 40)');
  if (RESERVED_KEYS.includes(key)) throw invalid('key', `"${key}" is a built-in participant field`);
  const label = input.label.trim();
  if (!label || label.length > 200) throw invalid('label', 'Give the field a label of at most 200 characters');
  if (!FIELD_TYPES.includes(input.type)) throw invalid('type', 'Unknown field type');
  const isChoice = input.type === 'single_choice' || input.type === 'multiple_choice';
  const options = isChoice ? [...new Set((input.options ?? []).map((o) => o.trim()).filter(Boolean))] : [];
  if (isChoice && options.length === 0) throw invalid('options', 'A choice field needs at least one option');
  if (options.length > 200 || options.some((o) => o.length > 200 || o.includes('|'))) {
    throw invalid('options', 'At most 200 options of at most 200 characters, without "|"');
  }
  return { key, label, type: input.type, required: input.required === true, options };
}

export async function listCustomFields(db: Db, orgId: string, eventId: string): Promise<CustomField[]> {
  return findCustomFields(db, orgId, eventId);
}

export async function getCustomField(db: Db, orgId: string, eventId: string, fieldId: string): Promise<CustomField> {
  const field = isId(fieldId) ? await findCustomField(db, orgId, eventId, fieldId) : null;
  if (!field) throw new DomainError('not_found', 'Field not found');
  return field;
}

export async function createCustomField(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: CustomFieldInput): Promise<CustomField> {
  const value = normalise(input);
  const existing = await findCustomFields(db, orgId, eventId);
  if (existing.some((f) => f.key === value.key)) throw new DomainError('duplicate_field_key', `A field with key "${value.key}" exists`);
  if (existing.length >= 100) throw invalid('key', 'An event has at most 100 custom fields');
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  const position = existing.reduce((max, f) => Math.max(max, f.position), 0) + 1;
  await insertCustomField(db, {
    id,
    org_id: orgId,
    event_id: eventId,
    key: value.key,
    label: value.label,
    type: value.type,
    required: value.required ? 1 : 0,
    options: JSON.stringify(value.options),
    position,
    created_at: now,
    updated_at: now,
  });
  await audit(db, ctx, actor, { orgId, action: 'custom_field.created', target: { type: 'custom_field', id }, data: { eventId, ...value } });
  return { id, eventId, ...value, position };
}

/** The key and type are fixed once created: existing participant values are stored under them. */
export async function updateCustomField(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  fieldId: string,
  input: { label: string; required?: boolean | undefined; options?: string[] | undefined; position?: number | undefined },
): Promise<CustomField> {
  const current = await getCustomField(db, orgId, eventId, fieldId);
  const value = normalise({ key: current.key, type: current.type, label: input.label, required: input.required, options: input.options ?? current.options });
  const position = input.position ?? current.position;
  await updateCustomFieldRow(db, orgId, fieldId, {
    label: value.label,
    required: value.required ? 1 : 0,
    options: JSON.stringify(value.options),
    position,
    updated_at: ctx.clock.now().toISOString(),
  });
  await audit(db, ctx, actor, { orgId, action: 'custom_field.updated', target: { type: 'custom_field', id: fieldId }, data: { eventId, ...value, position } });
  return { ...current, ...value, position };
}

/** Removing a field keeps participants' stored values (no data lost); they are just not shown. */
export async function deleteCustomField(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, fieldId: string): Promise<void> {
  const current = await getCustomField(db, orgId, eventId, fieldId);
  await deleteCustomFieldRow(db, orgId, fieldId);
  await audit(db, ctx, actor, { orgId, action: 'custom_field.deleted', target: { type: 'custom_field', id: fieldId }, data: { eventId, key: current.key } });
}
