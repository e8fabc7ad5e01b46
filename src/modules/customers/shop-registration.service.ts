import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import type { Contact } from '../contacts/index.js';
import { listEvents, type Event } from '../events/index.js';
import { registerFromPublicPage } from '../forms/index.js';
import { createParticipant, findParticipantByEmail, updateParticipant } from '../participants/index.js';
import type { Shop } from '../shop/index.js';

/** Whether a shop sells this event: the organisation's, published, not ended. */
export function onSale(event: Event, shop: Shop, now: Date): boolean {
  return event.orgId === shop.orgId && event.status === 'published' && event.endsAt > now.toISOString();
}

/** What a shop sells, soonest first. */
export async function shopEvents(db: Db, ctx: Ctx, shop: Shop): Promise<Event[]> {
  const now = ctx.clock.now();
  return (await listEvents(db, shop.orgId)).filter((e) => onSale(e, shop, now)).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
}

export async function isRegistered(db: Db, contact: Contact, event: Event): Promise<boolean> {
  return (await findParticipantByEmail(db, event.orgId, event.id, contact.email))?.status === 'registered';
}

/**
 * A signed-in customer registers: the participant of their contact, created or (when the
 * organiser had imported or invited them) made registered. A cancelled participation stays
 * cancelled: that is the organiser's decision.
 */
export async function registerCustomer(db: Db, ctx: Ctx, actor: Actor, contact: Contact, event: Event): Promise<'registered' | 'cancelled'> {
  const existing = await findParticipantByEmail(db, event.orgId, event.id, contact.email);
  if (!existing) {
    await createParticipant(db, ctx, actor, event.orgId, event.id, { email: contact.email, firstName: contact.firstName, lastName: contact.lastName, status: 'registered' });
    return 'registered';
  }
  if (existing.status === 'cancelled') return 'cancelled';
  if (existing.status !== 'registered') await updateParticipant(db, ctx, actor, event.orgId, event.id, existing.id, { status: 'registered' });
  return 'registered';
}

/**
 * A guest registers without an account: not subject to email validation. The public
 * registration rules apply (a known address gets the same answer and an email with its link).
 */
export async function registerGuest(db: Db, ctx: Ctx, actor: Actor, event: Event, input: { email: string; firstName: string; lastName: string }): Promise<void> {
  await registerFromPublicPage(db, ctx, actor, event, { email: input.email, firstName: input.firstName, lastName: input.lastName, fields: {} });
}
