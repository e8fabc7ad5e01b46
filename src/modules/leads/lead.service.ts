import type { Db, LeadExchangesTable } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { listCustomFields } from '../custom-fields/index.js';
import { getParticipant, getParticipantsByIds, type Participant } from '../participants/index.js';
import { findParticipantByLeadId, normaliseLeadId } from '../qr-codes/index.js';
import { cardOf, displayName, settingsFromRow } from './card.js';
import { exchangesOf, findCardRow, findExchangeOf, findCardRows, insertExchange, updateNote, upsertCardRow } from './lead.repository.js';
import { MAX_NOTE_LENGTH, type CardSettings, type CollectResult, type CollectedCard, type Collector } from './lead.types.js';

/** Cards shown on one page and in one CSV; far above what one attendee collects at an event. */
export const MAX_CARDS = 2000;

// Only registered attendees hand out cards: a cancelled, declined or not-yet-registered person's
// lead id answers exactly as an unknown one (their status is not another attendee's business).
function collectable(p: Participant): boolean {
  return p.status === 'registered';
}

export async function getCardSettings(db: Db, orgId: string, eventId: string, participantId: string): Promise<CardSettings> {
  const [row, fields] = await Promise.all([findCardRow(db, orgId, participantId), listCustomFields(db, orgId, eventId)]);
  return settingsFromRow(row, fields);
}

/** Saves what the card shares; keys that are not fields of the event are refused, not ignored. */
export async function setCardSettings(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, participantId: string, input: { email: boolean; fields: string[] }): Promise<CardSettings> {
  const fields = await listCustomFields(db, orgId, eventId);
  const known = new Set(fields.map((f) => f.key));
  const unknown = input.fields.filter((key) => !known.has(key));
  if (unknown.length > 0) throw new DomainError('unknown_field', 'Unknown field', { fields: unknown });
  const wanted = new Set(input.fields);
  const keys = fields.filter((f) => wanted.has(f.key)).map((f) => f.key);
  await upsertCardRow(db, { participant_id: participantId, org_id: orgId, event_id: eventId, share_email: input.email ? 1 : 0, share_fields: JSON.stringify(keys), updated_at: ctx.clock.now().toISOString() });
  await audit(db, ctx, actor, { orgId, action: 'lead.card_settings_changed', target: { type: 'participant', id: participantId }, data: { eventId, email: input.email, fields: keys } });
  return { email: input.email, fields: keys, saved: true };
}

/**
 * The collector takes the card behind a lead id. Accepts lead ids only: a QR text, a personal
 * link or anything else that is not shaped as a lead id is `not_a_lead_id` before any lookup.
 * Collecting twice is not an error: the first exchange is returned and nothing is written.
 */
export async function collectLead(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, collectorId: string, input: string): Promise<CollectResult> {
  // Checked here, before any lookup, so no credential of any kind is ever tried against lead ids.
  const leadId = normaliseLeadId(input);
  if (!leadId) throw new DomainError('not_a_lead_id', 'This is not a lead id. A lead id has 8 letters and digits, like ABCD-2345 (no 0, 1, I, L or O).');
  const collectedId = await findParticipantByLeadId(db, orgId, eventId, leadId);
  if (collectedId === collectorId) throw new DomainError('own_lead', 'This is your own card.');
  const collected = collectedId ? await getParticipant(db, orgId, eventId, collectedId).catch(() => null) : null;
  if (!collected || !collectable(collected)) throw new DomainError('lead_unknown', 'No attendee of this event has this lead id.');
  const now = ctx.clock.now().toISOString();
  const { row, created } = await insertExchange(db, {
    id: newId(ctx.clock, ctx.random),
    org_id: orgId,
    event_id: eventId,
    collector_id: collectorId,
    collected_id: collected.id,
    collected_at: now,
    note: '',
    note_updated_at: null,
  });
  if (created) {
    await audit(db, ctx, actor, { orgId, action: 'lead.collected', target: { type: 'participant', id: collected.id }, data: { eventId, exchangeId: row.id } });
  }
  const [settingsRow, fields] = await Promise.all([findCardRow(db, orgId, collected.id), listCustomFields(db, orgId, eventId)]);
  return { exchangeId: row.id, created, collectedAt: row.collected_at, card: cardOf(collected, settingsFromRow(settingsRow, fields), fields) };
}

/**
 * The cards this attendee collected, newest first, each cut by its owner's CURRENT settings: a
 * card is a live view, so sharing less later also hides it from past collectors. Cards of people
 * no longer registered drop out.
 */
export async function listCollectedCards(db: Db, orgId: string, eventId: string, collectorId: string): Promise<CollectedCard[]> {
  return cardsOf(db, orgId, eventId, await exchangesOf(db, orgId, eventId, 'collector_id', collectorId, MAX_CARDS));
}

/** One card this attendee collected (the page after a scan), or null for anyone else's exchange. */
export async function getCollectedCard(db: Db, orgId: string, eventId: string, collectorId: string, exchangeId: string): Promise<CollectedCard | null> {
  const exchange = await findExchangeOf(db, collectorId, exchangeId);
  return exchange && exchange.event_id === eventId ? ((await cardsOf(db, orgId, eventId, [exchange]))[0] ?? null) : null;
}

async function cardsOf(db: Db, orgId: string, eventId: string, exchanges: LeadExchangesTable[]): Promise<CollectedCard[]> {
  const ids = exchanges.map((e) => e.collected_id);
  const [people, settingsRows, fields] = await Promise.all([getParticipantsByIds(db, orgId, ids), findCardRows(db, orgId, ids), listCustomFields(db, orgId, eventId)]);
  const byId = new Map(people.map((p) => [p.id, p]));
  const settingsById = new Map(settingsRows.map((r) => [r.participant_id, r]));
  const cards: CollectedCard[] = [];
  for (const exchange of exchanges) {
    const person = byId.get(exchange.collected_id);
    if (!person || person.eventId !== eventId || !collectable(person)) continue;
    const card = cardOf(person, settingsFromRow(settingsById.get(person.id), fields), fields);
    cards.push({ exchangeId: exchange.id, collectedAt: exchange.collected_at, note: exchange.note, card });
  }
  return cards;
}

/** Who collected my card: names and times only. */
export async function listCollectors(db: Db, orgId: string, eventId: string, participantId: string): Promise<Collector[]> {
  const exchanges = await exchangesOf(db, orgId, eventId, 'collected_id', participantId, MAX_CARDS);
  const people = await getParticipantsByIds(db, orgId, exchanges.map((e) => e.collector_id));
  const byId = new Map(people.map((p) => [p.id, p]));
  const collectors: Collector[] = [];
  for (const exchange of exchanges) {
    const person = byId.get(exchange.collector_id);
    if (!person || !collectable(person)) continue;
    collectors.push({ name: displayName(person) || '(no name)', collectedAt: exchange.collected_at });
  }
  return collectors;
}

/** The collector's private note on a card they collected; anyone else's exchange is not found. */
export async function setLeadNote(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, collectorId: string, exchangeId: string, note: string): Promise<void> {
  const text = note.trim();
  if (text.length > MAX_NOTE_LENGTH) throw new DomainError('validation_failed', `A note has at most ${MAX_NOTE_LENGTH} characters.`);
  const updated = await updateNote(db, collectorId, exchangeId, text, ctx.clock.now().toISOString());
  if (!updated) throw new DomainError('not_found', 'Card not found');
  // The note's text stays out of the audit log: it is the collector's own business.
  await audit(db, ctx, actor, { orgId, action: 'lead.note_changed', target: { type: 'lead_exchange', id: exchangeId }, data: { eventId } });
}
