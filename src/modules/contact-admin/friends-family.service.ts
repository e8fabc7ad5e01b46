import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { contactFromRow, createContact, findAccountByEmail, getContact, type Contact } from '../contacts/index.js';
import { sendContactMail, VERIFY_ACTION } from '../customers/index.js';
import type { Shop } from '../shop/index.js';
import { connectContacts, contactDetail, type Connection } from './contact-relations.service.js';

/** The customer's friends & family, with each one's validation status (shown, never blocking). */
export async function customerConnections(db: Db, shop: Shop, customer: Contact): Promise<Connection[]> {
  return (await contactDetail(db, shop.orgId, customer)).connections;
}

/**
 * A customer connects a friend or family member by address: the organisation's contact with that
 * address, or a new one (not validated, no account). An unvalidated address never blocks it.
 */
export async function connectFriend(db: Db, ctx: Ctx, actor: Actor, shop: Shop, customer: Contact, input: { email: string; firstName: string; lastName: string }): Promise<Contact> {
  const email = canonicalEmail(input.email);
  if (!email) throw new DomainError('validation_failed', 'Enter one valid email address.', [{ path: '/email', message: 'Enter one valid email address.' }]);
  const existing = await findAccountByEmail(db, shop.orgId, email);
  const friend = existing && !existing.merged_into
    ? contactFromRow(existing)
    : await createContact(db, ctx, actor, shop.orgId, { email, firstName: input.firstName.trim().slice(0, 100), lastName: input.lastName.trim().slice(0, 100), kind: 'individual' });
  return connectContacts(db, ctx, actor, shop.orgId, customer.id, friend.id);
}

/** "Send them a validation email", offered next to a connection whose address is not validated. */
export async function sendFriendValidation(db: Db, ctx: Ctx, shop: Shop, customer: Contact, friendId: string): Promise<void> {
  const connected = (await customerConnections(db, shop, customer)).find((c) => c.contact.id === friendId);
  if (!connected) throw new DomainError('not_found', 'Connection not found');
  if (connected.contact.emailStatus === 'verified') return;
  await sendContactMail(db, ctx, VERIFY_ACTION, { orgId: shop.orgId, contact: await getContact(db, shop.orgId, friendId), posId: shop.pos.id });
}
