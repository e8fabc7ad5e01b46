import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../audit/index.js';
import { getParticipant } from '../participants/index.js';

export const ATTENTION_NOTE_MAX = 300;

/**
 * The note a door steward sees when this person is scanned ("wheelchair: use the side door",
 * "speaker: send to the green room"). Deliberately short and written for the door: it travels to
 * every scanner device in the offline bundle.
 */
export async function getAttentionNote(db: Db, orgId: string, eventId: string, participantId: string): Promise<string | null> {
  const row = await db
    .selectFrom('attention_notes')
    .select('note')
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('participant_id', '=', participantId)
    .executeTakeFirst();
  return row?.note ?? null;
}

/** An empty note removes it. The row's updated_at feeds the offline bundle's incremental sync. */
export async function setAttentionNote(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, participantId: string, note: string): Promise<string | null> {
  await getParticipant(db, orgId, eventId, participantId);
  const text = note.replace(/\s+/g, ' ').trim();
  if (text.length > ATTENTION_NOTE_MAX) {
    throw new DomainError('validation_failed', `The note is at most ${ATTENTION_NOTE_MAX} characters`, [{ path: '/note', message: `At most ${ATTENTION_NOTE_MAX} characters` }]);
  }
  const now = ctx.clock.now().toISOString();
  // An empty note is kept as an empty row rather than deleted, so the removal reaches devices
  // through the same incremental sync as any other change.
  await db
    .insertInto('attention_notes')
    .values({ participant_id: participantId, org_id: orgId, event_id: eventId, note: text, updated_at: now })
    .onConflict((oc) => oc.column('participant_id').doUpdateSet({ note: text, updated_at: now }))
    .execute();
  await audit(db, ctx, actor, { orgId, action: 'participant.attention_note_changed', target: { type: 'participant', id: participantId }, data: { eventId, empty: text === '' } });
  return text || null;
}
