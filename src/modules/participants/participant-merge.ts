import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import type { FieldValues } from '../custom-fields/index.js';

/** A participation of the merged (child) contact that the parent already had in the same event. */
export interface DroppedParticipation {
  eventId: string;
  participantId: string;
  keptParticipantId: string;
  status: string;
  registeredAt: string | null;
  /** The child's field values, all of them: the audit entry keeps what the parent's row did not take. */
  fields: FieldValues;
  /** Fields the parent had empty and took from the child. */
  filled: string[];
}

const blank = (value: unknown) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/**
 * Moves a contact's participations to another contact (a merge, inside its transaction). Where
 * both are in the same event the parent's participation is kept (its codes, links and check-ins
 * stay valid), its empty fields are filled from the child's, and the child's row is deleted with
 * what hangs off it; the caller writes the returned rows to the audit log so no value is lost
 * silently. The denormalised email copy is refreshed by `contactEmailChanged` afterwards.
 */
export async function moveParticipations(db: Db, ctx: Ctx, orgId: string, fromContactId: string, toContactId: string): Promise<{ moved: number; dropped: DroppedParticipation[] }> {
  const rows = (contactId: string) => db.selectFrom('participants').selectAll().where('org_id', '=', orgId).where('contact_id', '=', contactId).execute();
  const [childRows, parentRows] = await Promise.all([rows(fromContactId), rows(toContactId)]);
  const parentByEvent = new Map(parentRows.map((r) => [r.event_id, r]));
  const now = ctx.clock.now().toISOString();
  const dropped: DroppedParticipation[] = [];
  let moved = 0;
  for (const child of childRows) {
    const kept = parentByEvent.get(child.event_id);
    if (!kept) {
      await db.updateTable('participants').set({ contact_id: toContactId, updated_at: now }).where('id', '=', child.id).execute();
      moved += 1;
      continue;
    }
    const childFields = JSON.parse(child.field_values) as FieldValues;
    const keptFields = JSON.parse(kept.field_values) as FieldValues;
    const filled = Object.keys(childFields).filter((key) => blank(keptFields[key]) && !blank(childFields[key]));
    if (filled.length > 0) {
      for (const key of filled) keptFields[key] = childFields[key]!;
      await db.updateTable('participants').set({ field_values: JSON.stringify(keptFields), updated_at: now }).where('id', '=', kept.id).execute();
    }
    await db.deleteFrom('participants').where('id', '=', child.id).execute();
    dropped.push({ eventId: child.event_id, participantId: child.id, keptParticipantId: kept.id, status: child.status, registeredAt: child.registered_at, fields: childFields, filled });
  }
  return { moved, dropped };
}
