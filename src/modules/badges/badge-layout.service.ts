import type { BadgeLayoutsTable, Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { listCustomFields, type CustomField } from '../custom-fields/index.js';
import { deleteBadgeLayoutRow, findBadgeLayout, findBadgeLayouts, insertBadgeLayout, updateBadgeLayoutRow } from './badge-layout.repository.js';
import {
  BADGE_PAGE_SIZES,
  BADGE_QR_POSITIONS,
  BADGE_QR_SIZES,
  BUILT_IN_SOURCES,
  MAX_BADGE_FIELDS,
  MAX_FONT_SIZE,
  MIN_FONT_SIZE,
  defaultLayout,
  type BadgeField,
  type BadgeLayout,
  type BadgeLayoutInput,
  type BadgePageSize,
  type BadgeQrPosition,
  type BadgeQrSize,
} from './badge.types.js';

const MAX_LAYOUTS = 20;

function invalid(path: string, message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path: `/${path}`, message }]);
}

function layoutFromRow(row: BadgeLayoutsTable): BadgeLayout {
  return {
    id: row.id,
    eventId: row.event_id,
    name: row.name,
    pageSize: row.page_size as BadgePageSize,
    fields: JSON.parse(row.fields) as BadgeField[],
    qrSize: row.qr_size as BadgeQrSize,
    qrPosition: row.qr_position as BadgeQrPosition,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Sources a layout may print: the built-in ones and the event's custom fields. */
export function sourceAllowed(source: string, customFields: CustomField[]): boolean {
  if ((BUILT_IN_SOURCES as readonly string[]).includes(source)) return true;
  return source.startsWith('field:') && customFields.some((f) => `field:${f.key}` === source);
}

/** Checks a layout as typed; problems carry the form's field names (`fields.2.size`). */
export function checkBadgeLayout(input: BadgeLayoutInput, customFields: CustomField[]): Omit<BadgeLayout, 'id' | 'eventId' | 'createdAt' | 'updatedAt'> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw invalid('name', 'Give the layout a name of at most 100 characters');
  if (!(BADGE_PAGE_SIZES as string[]).includes(input.pageSize)) throw invalid('page_size', 'Choose a page or label size');
  if (!(BADGE_QR_SIZES as string[]).includes(input.qrSize)) throw invalid('qr_size', 'Choose a QR code size');
  if (!(BADGE_QR_POSITIONS as string[]).includes(input.qrPosition)) throw invalid('qr_position', 'Choose where the QR code goes');
  const fields: BadgeField[] = [];
  for (const [index, field] of input.fields.entries()) {
    if (!sourceAllowed(field.source, customFields)) throw invalid(`fields.${index}.source`, 'This field does not exist in the event');
    if (!Number.isInteger(field.size) || field.size < MIN_FONT_SIZE || field.size > MAX_FONT_SIZE) {
      throw invalid(`fields.${index}.size`, `Font sizes go from ${MIN_FONT_SIZE} to ${MAX_FONT_SIZE} points`);
    }
    fields.push({ source: field.source, size: field.size, bold: field.bold });
  }
  if (fields.length === 0) throw invalid('fields', 'Print at least one field');
  if (fields.length > MAX_BADGE_FIELDS) throw invalid('fields', `At most ${MAX_BADGE_FIELDS} fields fit on a badge`);
  return { name, pageSize: input.pageSize as BadgePageSize, fields, qrSize: input.qrSize as BadgeQrSize, qrPosition: input.qrPosition as BadgeQrPosition };
}

export async function listBadgeLayouts(db: Db, orgId: string, eventId: string): Promise<BadgeLayout[]> {
  return (await findBadgeLayouts(db, orgId, eventId)).map(layoutFromRow);
}

export async function getBadgeLayout(db: Db, orgId: string, eventId: string, layoutId: string): Promise<BadgeLayout> {
  const row = isId(layoutId) ? await findBadgeLayout(db, orgId, eventId, layoutId) : undefined;
  if (!row) throw new DomainError('not_found', 'Badge layout not found');
  return layoutFromRow(row);
}

/** The layout asked for, else the event's first one, else the built-in A6 layout. */
export async function badgeLayoutFor(db: Db, orgId: string, eventId: string, layoutId: string | null): Promise<BadgeLayout> {
  if (layoutId) return getBadgeLayout(db, orgId, eventId, layoutId);
  const [first] = await findBadgeLayouts(db, orgId, eventId);
  if (first) return layoutFromRow(first);
  return defaultLayout(eventId, (await listCustomFields(db, orgId, eventId)).map((f) => f.key));
}

async function assertNameFree(db: Db, orgId: string, eventId: string, name: string, exceptId: string | null): Promise<BadgeLayout[]> {
  const existing = await listBadgeLayouts(db, orgId, eventId);
  if (existing.some((l) => l.id !== exceptId && l.name.toLowerCase() === name.toLowerCase())) throw invalid('name', 'Another layout of this event has this name');
  return existing;
}

export async function createBadgeLayout(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: BadgeLayoutInput): Promise<BadgeLayout> {
  const value = checkBadgeLayout(input, await listCustomFields(db, orgId, eventId));
  const existing = await assertNameFree(db, orgId, eventId, value.name, null);
  if (existing.length >= MAX_LAYOUTS) throw invalid('name', `An event has at most ${MAX_LAYOUTS} badge layouts`);
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  await insertBadgeLayout(db, {
    id,
    org_id: orgId,
    event_id: eventId,
    name: value.name,
    page_size: value.pageSize,
    fields: JSON.stringify(value.fields),
    qr_size: value.qrSize,
    qr_position: value.qrPosition,
    created_at: now,
    updated_at: now,
  });
  await audit(db, ctx, actor, { orgId, action: 'badge_layout.created', target: { type: 'badge_layout', id }, data: { eventId, ...value } });
  return { id, eventId, ...value, createdAt: now, updatedAt: now };
}

export async function updateBadgeLayout(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, layoutId: string, input: BadgeLayoutInput): Promise<BadgeLayout> {
  const current = await getBadgeLayout(db, orgId, eventId, layoutId);
  const value = checkBadgeLayout(input, await listCustomFields(db, orgId, eventId));
  await assertNameFree(db, orgId, eventId, value.name, layoutId);
  const now = ctx.clock.now().toISOString();
  await updateBadgeLayoutRow(db, orgId, layoutId, {
    name: value.name,
    page_size: value.pageSize,
    fields: JSON.stringify(value.fields),
    qr_size: value.qrSize,
    qr_position: value.qrPosition,
    updated_at: now,
  });
  await audit(db, ctx, actor, { orgId, action: 'badge_layout.updated', target: { type: 'badge_layout', id: layoutId }, data: { eventId, ...value } });
  return { ...current, ...value, updatedAt: now };
}

export async function deleteBadgeLayout(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, layoutId: string): Promise<void> {
  const layout = await getBadgeLayout(db, orgId, eventId, layoutId);
  await deleteBadgeLayoutRow(db, orgId, eventId, layoutId);
  await audit(db, ctx, actor, { orgId, action: 'badge_layout.deleted', target: { type: 'badge_layout', id: layoutId }, data: { eventId, name: layout.name } });
}
