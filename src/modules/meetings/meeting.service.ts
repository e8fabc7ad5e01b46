import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { getEvent } from '../events/index.js';
import {
  findAnsweredAt,
  findAnswers,
  findAvailableCells,
  findCampaignPeople,
  findMeetingCampaign,
  findMeetingCampaigns,
  findOpenMeetingCampaigns,
  insertMeetingCampaign,
  insertRecipient,
  isRecipientRow,
  replaceAnswers,
  updateMeetingCampaignRow,
} from './meeting.repository.js';
import type { Availability, AvailabilityGrid, GridRow, MeetingCampaign, MeetingCampaignInput } from './meeting.types.js';
import { campaignProblems, slotsOf } from './slots.js';

export function isMeetingCampaignClosed(campaign: MeetingCampaign, now: Date): boolean {
  return campaign.closesAt <= now.toISOString();
}

export async function getMeetingCampaign(db: Db, orgId: string, eventId: string, campaignId: string): Promise<MeetingCampaign> {
  const campaign = isId(campaignId) ? await findMeetingCampaign(db, orgId, eventId, campaignId) : null;
  if (!campaign) throw new DomainError('not_found', 'Availability campaign not found');
  return campaign;
}

export async function listMeetingCampaigns(db: Db, orgId: string, eventId: string): Promise<MeetingCampaign[]> {
  return findMeetingCampaigns(db, orgId, eventId);
}

/** The campaign `{{ availability_link }}` links to: the event's one open campaign, or null. */
export async function openMeetingCampaign(db: Db, orgId: string, eventId: string, now: Date): Promise<MeetingCampaign | null> {
  return (await findOpenMeetingCampaigns(db, orgId, eventId, now.toISOString()))[0] ?? null;
}

function validated(input: MeetingCampaignInput): MeetingCampaignInput {
  const value = { ...input, name: String(input.name ?? '').trim() };
  const problems = campaignProblems(value);
  if (problems.length > 0) throw new DomainError('validation_failed', problems.map((p) => p.message).join('; '), problems);
  return { ...value, closesAt: new Date(value.closesAt).toISOString() };
}

/**
 * One open campaign per event at a time: the merge tag names no campaign, so it must never have
 * to choose. Closing times only pass, so checking when a campaign is created or reopened suffices.
 */
async function refuseSecondOpen(db: Db, orgId: string, eventId: string, closesAt: string, now: Date, self: string | null): Promise<void> {
  if (closesAt <= now.toISOString()) return;
  const other = (await findOpenMeetingCampaigns(db, orgId, eventId, now.toISOString())).find((c) => c.id !== self);
  if (other) {
    throw new DomainError('validation_failed', `“${other.name}” is still open: close it first. {{ availability_link }} links to the event's one open campaign.`, [
      { path: '/closesAt', message: `“${other.name}” is still open: close it first (one open availability campaign per event)` },
    ]);
  }
}

export async function createMeetingCampaign(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: MeetingCampaignInput): Promise<MeetingCampaign> {
  await getEvent(db, orgId, eventId);
  const value = validated(input);
  const now = ctx.clock.now();
  if (value.closesAt <= now.toISOString()) {
    throw new DomainError('validation_failed', 'Answers must close in the future', [{ path: '/closesAt', message: 'Choose a closing time in the future' }]);
  }
  await refuseSecondOpen(db, orgId, eventId, value.closesAt, now, null);
  const id = newId(ctx.clock, ctx.random);
  const at = now.toISOString();
  await insertMeetingCampaign(db, {
    id,
    org_id: orgId,
    event_id: eventId,
    name: value.name,
    first_day: value.firstDay,
    last_day: value.lastDay,
    day_starts: value.dayStarts,
    day_ends: value.dayEnds,
    slot_minutes: value.slotMinutes,
    closes_at: value.closesAt,
    created_by: actor.type === 'staff' ? actor.id : null,
    created_at: at,
    updated_at: at,
  });
  await audit(db, ctx, actor, { orgId, action: 'meeting_campaign.created', target: { type: 'meeting_campaign', id }, data: { eventId, name: value.name, slots: slotsOf(value).length, closesAt: value.closesAt } });
  return getMeetingCampaign(db, orgId, eventId, id);
}

/**
 * Changes the definition. Answers are kept by slot: a slot still offered keeps its answers, a
 * new one starts unanswered, and answers for slots no longer offered are no longer shown.
 */
export async function updateMeetingCampaign(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, campaignId: string, input: MeetingCampaignInput): Promise<MeetingCampaign> {
  const current = await getMeetingCampaign(db, orgId, eventId, campaignId);
  const value = validated(input);
  const now = ctx.clock.now();
  await refuseSecondOpen(db, orgId, eventId, value.closesAt, now, current.id);
  await updateMeetingCampaignRow(db, orgId, current.id, {
    name: value.name,
    first_day: value.firstDay,
    last_day: value.lastDay,
    day_starts: value.dayStarts,
    day_ends: value.dayEnds,
    slot_minutes: value.slotMinutes,
    closes_at: value.closesAt,
    updated_at: now.toISOString(),
  });
  await audit(db, ctx, actor, { orgId, action: 'meeting_campaign.updated', target: { type: 'meeting_campaign', id: current.id }, data: { name: value.name, slots: slotsOf(value).length, closesAt: value.closesAt } });
  return getMeetingCampaign(db, orgId, eventId, current.id);
}

/** Closes answers now (links sent for it stop opening the form). */
export async function closeMeetingCampaign(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, campaignId: string): Promise<void> {
  const current = await getMeetingCampaign(db, orgId, eventId, campaignId);
  const now = ctx.clock.now().toISOString();
  if (current.closesAt <= now) return;
  await updateMeetingCampaignRow(db, orgId, current.id, { closes_at: now, updated_at: now });
  await audit(db, ctx, actor, { orgId, action: 'meeting_campaign.closed', target: { type: 'meeting_campaign', id: current.id }, data: { was: current.closesAt } });
}

export async function recordMeetingRecipient(db: Db, ctx: Ctx, campaign: MeetingCampaign, participantId: string): Promise<void> {
  await insertRecipient(db, { campaign_id: campaign.id, participant_id: participantId, org_id: campaign.orgId, first_sent_at: ctx.clock.now().toISOString() });
}

/** Whether the campaign's link was sent to this participant (the app then opens its form too). */
export async function isMeetingRecipient(db: Db, campaign: MeetingCampaign, participantId: string): Promise<boolean> {
  return isRecipientRow(db, campaign.orgId, campaign.id, participantId);
}

/** A participant's earlier answer, or null when they have not answered yet. */
export async function availabilityOf(db: Db, campaign: MeetingCampaign, participantId: string): Promise<Availability | null> {
  const rows = await findAnswers(db, campaign.orgId, campaign.id, participantId);
  if (rows.length === 0) return null;
  const offered = new Set(slotsOf(campaign).map((s) => s.key));
  return { answeredAt: rows[0]!.answered_at, available: rows.filter((r) => Number(r.available) === 1 && offered.has(r.slot)).map((r) => r.slot).sort() };
}

export interface AnswerInput {
  campaign: MeetingCampaign;
  /** From the session, never from the submitted data. */
  participantId: string;
  /** Slot keys the person is available for; every other offered slot is recorded as "not". */
  available: readonly string[];
}

/** Records a complete answer, replacing any earlier one, until the campaign closes. */
export async function answerAvailability(db: Db, ctx: Ctx, actor: Actor, input: AnswerInput): Promise<Availability> {
  const { campaign } = input;
  if (isMeetingCampaignClosed(campaign, ctx.clock.now())) throw new DomainError('form_closed', `Answers to “${campaign.name}” are closed.`);
  const slots = slotsOf(campaign);
  const offered = new Set(slots.map((s) => s.key));
  const chosen = new Set(input.available);
  const unknown = [...chosen].filter((key) => !offered.has(key));
  if (unknown.length > 0) throw new DomainError('validation_failed', 'Some of the chosen times are not offered (any more): reload the page and choose again', [{ path: '/slot', message: 'Reload the page and choose again' }]);
  const at = ctx.clock.now().toISOString();
  await replaceAnswers(db, { orgId: campaign.orgId, campaignId: campaign.id, participantId: input.participantId }, slots.map((s) => ({ slot: s.key, available: chosen.has(s.key) })), at);
  await audit(db, ctx, actor, { orgId: campaign.orgId, action: 'meeting.availability_answered', target: { type: 'participant', id: input.participantId }, data: { campaignId: campaign.id, available: chosen.size, slots: slots.length } });
  return { answeredAt: at, available: [...chosen].sort() };
}

/** Everyone's availability per slot, with counts, and the recipients yet to answer. */
export async function availabilityGrid(db: Db, campaign: MeetingCampaign): Promise<AvailabilityGrid> {
  const slots = slotsOf(campaign);
  const people = await findCampaignPeople(db, campaign.orgId, campaign.id);
  const answers = new Map<string, { answeredAt: string; available: Set<string> }>();
  for (const row of await findAnsweredAt(db, campaign.orgId, campaign.id)) answers.set(row.participant_id, { answeredAt: row.answered_at, available: new Set() });
  for (const cell of await findAvailableCells(db, campaign.orgId, campaign.id)) answers.get(cell.participant_id)?.available.add(cell.slot);
  const rows: GridRow[] = [];
  const pending = [];
  for (const person of people) {
    const answer = answers.get(person.participantId);
    const { recipient: _recipient, ...who } = person;
    if (answer) rows.push({ ...who, answeredAt: answer.answeredAt, available: answer.available });
    else pending.push(who);
  }
  const counts: Record<string, number> = {};
  for (const slot of slots) counts[slot.key] = rows.filter((r) => r.available.has(slot.key)).length;
  return { slots, rows, counts, pending };
}
