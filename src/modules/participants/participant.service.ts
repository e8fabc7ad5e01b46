import type { Db, Dialect, ParticipantsTable } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { searchable } from '../../lib/text.js';
import { audit, auditMany, type AuditInput } from '../audit/index.js';
import { changeContactIdentity, ensureContacts } from '../contacts/index.js';
import { listCustomFields, searchableValue, type CustomField, type FieldValues } from '../custom-fields/index.js';
import {
  countByEventAndStatus,
  countByStatus,
  findParticipantEmailKeys,
  findParticipantRow,
  findParticipantRowsByIds,
  findParticipantRowsOfContact,
  findParticipantsByContacts,
  insertParticipants,
  participantFromRow,
  queryParticipants,
  replaceParticipantRows,
  updateParticipantRow,
  updateParticipantsOfContact,
} from './participant.repository.js';
import type { Participant, ParticipantInput, ParticipantPage, ParticipantQuery, ParticipantStatus, ValidParticipant } from './participant.types.js';
import { checkParticipant } from './participant.validation.js';
import { participantsRegistered, participantStatusChanged } from './registration-hooks.js';

export function searchTextOf(firstName: string, lastName: string, email: string, fields: FieldValues): string {
  const parts = [firstName, lastName, email, ...Object.values(fields).map(searchableValue)];
  const joined = parts.filter((p) => p.length > 0).join(' ');
  // ASCII text has no accents to strip and is its own NFKD form: skip the costly normalisation
  // (it was a tenth of a 100,000-row import).
  // eslint-disable-next-line no-control-regex
  return (/^[\x00-\x7f]*$/.test(joined) ? joined.toLowerCase() : searchable(joined)).slice(0, 2000);
}

function validOrThrow(fields: CustomField[], input: ParticipantInput, partial = false): ValidParticipant {
  const checked = checkParticipant(fields, input, { partial });
  if (!checked.ok) {
    const message = checked.problems.map((p) => p.reason).join('; ');
    throw new DomainError('validation_failed', message, checked.problems.map((p) => ({ path: `/${p.field}`, message: p.reason })));
  }
  return checked.value;
}

export async function getParticipant(db: Db, orgId: string, eventId: string, participantId: string): Promise<Participant> {
  const row = isId(participantId) ? await findParticipantRow(db, orgId, eventId, participantId) : undefined;
  if (!row) throw new DomainError('not_found', 'Participant not found');
  return participantFromRow(row);
}

/** Participants by id across the organisation's events; unknown ids are left out. */
export async function getParticipantsByIds(db: Db, orgId: string, ids: string[]): Promise<Participant[]> {
  const rows: ParticipantsTable[] = [];
  for (let i = 0; i < ids.length; i += 500) rows.push(...(await findParticipantRowsByIds(db, orgId, ids.slice(i, i + 500))));
  return rows.map(participantFromRow);
}

export async function createParticipant(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: ParticipantInput): Promise<Participant> {
  const fields = await listCustomFields(db, orgId, eventId);
  const value = validOrThrow(fields, input);
  const result = await upsertParticipants(db, ctx, actor, orgId, eventId, [value], { existing: 'fail', defaultStatus: 'registered' });
  const id = result.ids[0];
  if (!id) throw new DomainError('duplicate_email', 'This person is already a participant of the event');
  return getParticipant(db, orgId, eventId, id);
}

/** Partial update: absent custom fields are left as they are; name/email changes go to the contact. */
export async function updateParticipant(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  participantId: string,
  input: ParticipantInput,
): Promise<Participant> {
  const current = await getParticipant(db, orgId, eventId, participantId);
  const fields = await listCustomFields(db, orgId, eventId);
  const value = validOrThrow(fields, {
    email: input.email ?? current.email,
    firstName: input.firstName ?? current.firstName,
    lastName: input.lastName ?? current.lastName,
    status: input.status,
    fields: input.fields ?? {},
  }, true);
  const now = ctx.clock.now().toISOString();
  const identityChanged = value.email.email !== current.email || value.firstName !== current.firstName || value.lastName !== current.lastName;
  if (identityChanged) {
    await changeContactIdentity(db, ctx, orgId, current.contactId, value);
    await updateParticipantsOfContact(db, orgId, current.contactId, { email: value.email.email, first_name: value.firstName, last_name: value.lastName, updated_at: now });
  }
  const merged: FieldValues = { ...current.fields };
  for (const field of fields) {
    if (!input.fields || !(field.key in input.fields)) continue;
    const next = value.fields[field.key];
    if (next === undefined) delete merged[field.key];
    else merged[field.key] = next;
  }
  const status = value.status ?? current.status;
  await updateParticipantRow(db, orgId, participantId, {
    field_values: JSON.stringify(merged),
    search_text: searchTextOf(value.firstName, value.lastName, value.email.email, merged),
    ...statusChange(current.status, current.registeredAt, status, now),
    updated_at: now,
  });
  if (status === 'registered' && current.status !== 'registered') await participantsRegistered(db, ctx, orgId, eventId, [participantId]);
  if (status !== current.status) await participantStatusChanged(db, ctx, orgId, eventId, [{ participantId, from: current.status, to: status }]);
  const changed = [
    ...(identityChanged ? ['identity'] : []),
    ...Object.keys(merged).filter((k) => JSON.stringify(merged[k]) !== JSON.stringify(current.fields[k])),
    ...Object.keys(current.fields).filter((k) => !(k in merged)),
  ];
  await audit(db, ctx, actor, {
    orgId,
    action: 'participant.updated',
    target: { type: 'participant', id: participantId },
    data: { eventId, changed, ...(status !== current.status ? { status: { from: current.status, to: status } } : {}) },
  });
  return getParticipant(db, orgId, eventId, participantId);
}

function statusChange(from: ParticipantStatus, registeredAt: string | null, to: ParticipantStatus, now: string): Partial<ParticipantsTable> {
  if (from === to) return {};
  return { status: to, status_changed_at: now, registered_at: to === 'registered' ? (registeredAt ?? now) : registeredAt };
}

/**
 * A contact's address changed (in the shop or the back-office): every participation of theirs
 * shows and is searched by the new one.
 */
export async function contactEmailChanged(db: Db, ctx: Ctx, orgId: string, contactId: string, email: string): Promise<void> {
  const now = ctx.clock.now().toISOString();
  for (const row of await findParticipantRowsOfContact(db, orgId, contactId)) {
    const fields = JSON.parse(row.field_values) as FieldValues;
    await updateParticipantRow(db, orgId, row.id, { email, search_text: searchTextOf(row.first_name, row.last_name, email, fields), updated_at: now });
  }
}

export async function listParticipants(db: Db, dialect: Dialect, orgId: string, eventId: string, query: ParticipantQuery): Promise<ParticipantPage> {
  const found = await queryParticipants(db, dialect, orgId, eventId, query);
  if (!found) throw new DomainError('validation_failed', 'The page cursor is not valid', [{ path: '/cursor', message: 'invalid cursor' }]);
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const rows = found.rows.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    items: rows.map(participantFromRow),
    total: found.total,
    nextCursor: found.rows.length > limit && last ? found.cursorOf(last) : null,
  };
}

/** The email keys (see canonicalEmail) among these that are already participants of the event. */
export async function existingParticipantEmails(db: Db, orgId: string, eventId: string, keys: string[]): Promise<Set<string>> {
  return new Set(await findParticipantEmailKeys(db, orgId, eventId, keys));
}

export async function participantCounts(db: Db, orgId: string, eventId: string): Promise<Record<ParticipantStatus, number>> {
  return countByStatus(db, orgId, eventId);
}

/** Per-status counts of several events of the organisation, keyed by event id. */
export async function participantCountsByEvent(db: Db, orgId: string, eventIds: string[]): Promise<Map<string, Record<ParticipantStatus, number>>> {
  return countByEventAndStatus(db, orgId, eventIds);
}

export interface UpsertOptions {
  /** What to do when the person is already a participant of the event. */
  existing: 'update' | 'skip' | 'fail';
  /** Status for new participants that carry none. */
  defaultStatus: ParticipantStatus;
  /**
   * One audit entry per participant (default), or none when the caller audits the whole batch
   * itself: a CSV import is one organiser action, logged once as `import.completed`, and 100,000
   * per-row entries would double its cost.
   */
  auditEachRow?: boolean;
}

export interface UpsertResult {
  created: number;
  updated: number;
  skipped: number;
  /** Participant ids in input order (for skipped rows: the existing participant's id; for 'fail': absent). */
  ids: string[];
}

const CHUNK = 500;

/**
 * Creates or updates many participants in a handful of statements per 500 rows. Rows must be
 * validated and have distinct emails. Runs inside the caller's transaction, so an import or a bulk
 * API call is all or nothing.
 */
export async function upsertParticipants(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  rows: ValidParticipant[],
  options: UpsertOptions,
): Promise<UpsertResult> {
  const result: UpsertResult = { created: 0, updated: 0, skipped: 0, ids: [] };
  for (let start = 0; start < rows.length; start += CHUNK) {
    await upsertChunk(db, ctx, actor, orgId, eventId, rows.slice(start, start + CHUNK), options, result);
  }
  return result;
}

async function upsertChunk(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  rows: ValidParticipant[],
  options: UpsertOptions,
  result: UpsertResult,
): Promise<void> {
  const contacts = await ensureContacts(db, ctx, orgId, rows.map((r) => ({ email: r.email, firstName: r.firstName, lastName: r.lastName })));
  const contactIds = rows.map((r) => contacts.get(r.email.key)!.id);
  const existing = new Map((await findParticipantsByContacts(db, eventId, contactIds)).map((p) => [p.contact_id, p]));
  const now = ctx.clock.now().toISOString();
  const fresh: ParticipantsTable[] = [];
  const changed: ParticipantsTable[] = [];
  const entries: AuditInput[] = [];
  for (const row of rows) {
    const contact = contacts.get(row.email.key)!;
    const current = existing.get(contact.id);
    if (!current) {
      const status = row.status ?? options.defaultStatus;
      const firstName = row.firstName || contact.first_name;
      const lastName = row.lastName || contact.last_name;
      const id = newId(ctx.clock, ctx.random);
      fresh.push({
        id,
        org_id: orgId,
        event_id: eventId,
        contact_id: contact.id,
        status,
        field_values: JSON.stringify(row.fields),
        email: contact.email,
        first_name: firstName,
        last_name: lastName,
        search_text: searchTextOf(firstName, lastName, contact.email, row.fields),
        status_changed_at: now,
        registered_at: status === 'registered' ? now : null,
        created_at: now,
        updated_at: now,
      });
      entries.push({ orgId, action: 'participant.created', target: { type: 'participant', id }, data: { eventId, status } });
      result.ids.push(id);
      continue;
    }
    if (options.existing === 'fail') continue;
    result.ids.push(current.id);
    if (options.existing === 'skip') {
      result.skipped += 1;
      continue;
    }
    changed.push(updatedRow(current, row, now));
    entries.push({
      orgId,
      action: 'participant.updated',
      target: { type: 'participant', id: current.id },
      data: { eventId: current.event_id, changed: Object.keys(row.fields), via: 'bulk' },
    });
  }
  await insertParticipants(db, fresh);
  // One statement for all the updates of the chunk, not one per row: re-importing 100,000 known
  // people used to cost 200,000 statements (an update and an audit insert each).
  await replaceParticipantRows(db, changed);
  const registered = [
    ...fresh.filter((row) => row.status === 'registered').map((row) => row.id),
    ...changed.filter((row) => row.status === 'registered' && existing.get(row.contact_id)?.status !== 'registered').map((row) => row.id),
  ];
  await participantsRegistered(db, ctx, orgId, eventId, registered);
  const statusChanges = changed.flatMap((row) => {
    const from = existing.get(row.contact_id)?.status;
    return from && from !== row.status ? [{ participantId: row.id, from, to: row.status }] : [];
  });
  await participantStatusChanged(db, ctx, orgId, eventId, statusChanges);
  result.created += fresh.length;
  result.updated += changed.length;
  if (options.auditEachRow !== false) await auditMany(db, ctx, actor, entries);
}

function updatedRow(current: ParticipantsTable, row: ValidParticipant, now: string): ParticipantsTable {
  const fields: FieldValues = { ...(JSON.parse(current.field_values) as FieldValues), ...row.fields };
  const firstName = row.firstName || current.first_name;
  const lastName = row.lastName || current.last_name;
  const status = row.status ?? current.status;
  return {
    ...current,
    field_values: JSON.stringify(fields),
    first_name: firstName,
    last_name: lastName,
    search_text: searchTextOf(firstName, lastName, current.email, fields),
    ...statusChange(current.status, current.registered_at, status, now),
    updated_at: now,
  };
}
