import type { Selectable } from 'kysely';
import type { Db, MeetingCampaignsTable } from '../../db/database.js';
import type { GridPerson, MeetingCampaign } from './meeting.types.js';

export function meetingCampaignFromRow(row: Selectable<MeetingCampaignsTable>): MeetingCampaign {
  return {
    id: row.id,
    orgId: row.org_id,
    eventId: row.event_id,
    name: row.name,
    firstDay: row.first_day,
    lastDay: row.last_day,
    dayStarts: row.day_starts,
    dayEnds: row.day_ends,
    slotMinutes: Number(row.slot_minutes),
    closesAt: row.closes_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertMeetingCampaign(db: Db, row: MeetingCampaignsTable): Promise<void> {
  await db.insertInto('meeting_campaigns').values(row).execute();
}

export async function updateMeetingCampaignRow(db: Db, orgId: string, id: string, values: Partial<MeetingCampaignsTable>): Promise<void> {
  await db.updateTable('meeting_campaigns').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function findMeetingCampaign(db: Db, orgId: string, eventId: string, id: string): Promise<MeetingCampaign | null> {
  const row = await db.selectFrom('meeting_campaigns').selectAll().where('org_id', '=', orgId).where('event_id', '=', eventId).where('id', '=', id).executeTakeFirst();
  return row ? meetingCampaignFromRow(row) : null;
}

export async function findMeetingCampaigns(db: Db, orgId: string, eventId: string): Promise<MeetingCampaign[]> {
  const rows = await db.selectFrom('meeting_campaigns').selectAll().where('org_id', '=', orgId).where('event_id', '=', eventId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map(meetingCampaignFromRow);
}

/** Campaigns of the event still open at `now`, soonest closing first. */
export async function findOpenMeetingCampaigns(db: Db, orgId: string, eventId: string, now: string): Promise<MeetingCampaign[]> {
  const rows = await db
    .selectFrom('meeting_campaigns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('closes_at', '>', now)
    .orderBy('closes_at')
    .execute();
  return rows.map(meetingCampaignFromRow);
}

/** Remembers that a link was sent; a second email to the same person changes nothing. */
export async function insertRecipient(db: Db, row: { campaign_id: string; participant_id: string; org_id: string; first_sent_at: string }): Promise<void> {
  await db.insertInto('meeting_recipients').values(row).onConflict((oc) => oc.columns(['campaign_id', 'participant_id']).doNothing()).execute();
}

export async function isRecipientRow(db: Db, orgId: string, campaignId: string, participantId: string): Promise<boolean> {
  const row = await db
    .selectFrom('meeting_recipients')
    .select('participant_id')
    .where('org_id', '=', orgId)
    .where('campaign_id', '=', campaignId)
    .where('participant_id', '=', participantId)
    .executeTakeFirst();
  return row !== undefined;
}

export interface AnswerRow {
  participant_id: string;
  slot: string;
  available: number;
  answered_at: string;
}

export async function findAnswers(db: Db, orgId: string, campaignId: string, participantId?: string): Promise<AnswerRow[]> {
  let query = db
    .selectFrom('meeting_answers')
    .select(['participant_id', 'slot', 'available', 'answered_at'])
    .where('org_id', '=', orgId)
    .where('campaign_id', '=', campaignId);
  if (participantId !== undefined) query = query.where('participant_id', '=', participantId);
  return query.execute();
}

/**
 * The grid's reads: who answered when (one row per person) and only the "available" cells, which
 * at thousands of people are a fraction of all answer rows.
 */
export async function findAnsweredAt(db: Db, orgId: string, campaignId: string): Promise<Array<{ participant_id: string; answered_at: string }>> {
  return db
    .selectFrom('meeting_answers')
    .select((eb) => ['participant_id', eb.fn.max('answered_at').as('answered_at')])
    .where('org_id', '=', orgId)
    .where('campaign_id', '=', campaignId)
    .groupBy('participant_id')
    .execute();
}

export async function findAvailableCells(db: Db, orgId: string, campaignId: string): Promise<Array<{ participant_id: string; slot: string }>> {
  return db.selectFrom('meeting_answers').select(['participant_id', 'slot']).where('org_id', '=', orgId).where('campaign_id', '=', campaignId).where('available', '=', 1).execute();
}

/** Replaces one person's answers with a complete new set (every offered slot, yes or no). */
export async function replaceAnswers(db: Db, key: { orgId: string; campaignId: string; participantId: string }, answers: Array<{ slot: string; available: boolean }>, at: string): Promise<void> {
  await db.deleteFrom('meeting_answers').where('org_id', '=', key.orgId).where('campaign_id', '=', key.campaignId).where('participant_id', '=', key.participantId).execute();
  const rows = answers.map((a) => ({ campaign_id: key.campaignId, participant_id: key.participantId, org_id: key.orgId, slot: a.slot, available: a.available ? 1 : 0, answered_at: at }));
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('meeting_answers').values(rows.slice(i, i + 200)).execute();
}

/**
 * Everyone concerned by the campaign (sent the link, or answered), named from the participant
 * rows: one query for the planners' page. Cancelled participants are left out (nobody plans a
 * meeting with them or chases their answer); deleted ones go with their row.
 */
export async function findCampaignPeople(db: Db, orgId: string, campaignId: string): Promise<Array<GridPerson & { recipient: boolean }>> {
  const answered = db.selectFrom('meeting_answers').select('participant_id').distinct().where('org_id', '=', orgId).where('campaign_id', '=', campaignId);
  const sent = db.selectFrom('meeting_recipients').select('participant_id').where('org_id', '=', orgId).where('campaign_id', '=', campaignId);
  const rows = await db
    .selectFrom('participants as p')
    .leftJoin('meeting_recipients as r', (join) => join.onRef('r.participant_id', '=', 'p.id').on('r.campaign_id', '=', campaignId))
    .select(['p.id', 'p.first_name', 'p.last_name', 'p.email', 'r.first_sent_at'])
    .where('p.org_id', '=', orgId)
    .where('p.status', '!=', 'cancelled')
    .where((eb) => eb.or([eb('p.id', 'in', answered), eb('p.id', 'in', sent)]))
    .orderBy('p.last_name')
    .orderBy('p.first_name')
    .orderBy('p.id')
    .execute();
  return rows.map((r) => ({ participantId: r.id, name: `${r.first_name} ${r.last_name}`.trim(), email: r.email, recipient: r.first_sent_at !== null }));
}
