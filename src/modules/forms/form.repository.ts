import type { Db, EventFormsTable, RsvpAnswer } from '../../db/database.js';
import type { EventForm } from './form.types.js';

function keysOf(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

export function formFromRow(row: EventFormsTable): EventForm {
  return {
    id: row.id,
    orgId: row.org_id,
    eventId: row.event_id,
    kind: row.kind,
    slug: row.slug,
    title: row.title,
    intro: row.intro,
    fieldKeys: keysOf(row.field_keys),
    allowEmailChange: row.allow_email_change === 1,
    closesAt: row.closes_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertForm(db: Db, row: EventFormsTable): Promise<void> {
  await db.insertInto('event_forms').values(row).execute();
}

export async function updateFormRow(db: Db, orgId: string, id: string, values: Partial<EventFormsTable>): Promise<void> {
  await db.updateTable('event_forms').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteFormRow(db: Db, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('event_forms').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function findForms(db: Db, orgId: string, eventId: string): Promise<EventForm[]> {
  const rows = await db
    .selectFrom('event_forms')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(formFromRow);
}

export async function findFormBySlug(db: Db, orgId: string, eventId: string, slug: string): Promise<EventForm | null> {
  const row = await db
    .selectFrom('event_forms')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('slug', '=', slug)
    .executeTakeFirst();
  return row ? formFromRow(row) : null;
}

export async function findFormById(db: Db, orgId: string, eventId: string, id: string): Promise<EventForm | null> {
  const row = await db
    .selectFrom('event_forms')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? formFromRow(row) : null;
}

/** The oldest update form: what `update_link` opens. */
export async function findFirstUpdateForm(db: Db, orgId: string, eventId: string): Promise<EventForm | null> {
  const row = await db
    .selectFrom('event_forms')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('kind', '=', 'update')
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row ? formFromRow(row) : null;
}

/** One row per participant: the latest answer replaces the previous one. */
export async function upsertRsvpAnswer(db: Db, row: { participant_id: string; org_id: string; event_id: string; answer: RsvpAnswer; answered_at: string }): Promise<void> {
  await db
    .insertInto('rsvp_answers')
    .values(row)
    .onConflict((oc) => oc.column('participant_id').doUpdateSet({ answer: row.answer, answered_at: row.answered_at }))
    .execute();
}

export async function countRsvpAnswers(db: Db, orgId: string, eventId: string): Promise<Record<RsvpAnswer, number>> {
  const rows = await db
    .selectFrom('rsvp_answers')
    .select(['answer', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .groupBy('answer')
    .execute();
  const counts: Record<RsvpAnswer, number> = { accepted: 0, declined: 0 };
  for (const row of rows) counts[row.answer] = Number(row.n);
  return counts;
}
