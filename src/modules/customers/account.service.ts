import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { canonicalEmail, type CanonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { decoyHash, hashPassword, verifyPassword } from '../../lib/password.js';
import { weakPasswordReason } from '../../lib/password-policy.js';
import { changeContactEmail, contactFromRow, createContact, findAccountByEmail, findAccountById, markEmailVerified, setContactPassword, type Contact } from '../contacts/index.js';
import type { Credential } from '../credentials/index.js';
import { getOrganisation } from '../organisations/index.js';
import { contactEmailChanged } from '../participants/index.js';
import type { Shop } from '../shop/index.js';
import { EMAIL_CHANGED_ACTION, EXISTS_ACTION, RESET_ACTION, sendContactMail, VERIFY_ACTION } from './customer-mail.js';
import { endContactSessions } from './customer-session.js';

export interface SignUpInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

function refused(path: string, message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path: `/${path}`, message }]);
}

function addressOf(email: string): CanonicalEmail {
  const canonical = canonicalEmail(email);
  if (!canonical) throw refused('email', 'Enter one valid email address.');
  return canonical;
}

/** Whether the organisation makes new accounts validate their address before entering its shops. */
export async function validationRequired(db: Db, orgId: string): Promise<boolean> {
  return (await getOrganisation(db, orgId)).settings.emailValidationRequired;
}

/**
 * Sign-up in a shop. The answer is the same whether the address is new or known ("check your
 * inbox"): a new address gets an account and, when the organisation requires it, the
 * verification email; an address with an account gets an email telling its owner; an address the
 * organisation knows without an account (a participant, a guest) gets a link to choose a
 * password, so nobody can put a password on someone else's contact. The password is hashed in
 * every case, so the three take the same time; it is hashed before the transaction opens, which
 * then holds the database only for the writes. `db` is the database, not a transaction.
 */
export async function signUp(db: Kysely<Database>, ctx: Ctx, actor: Actor, shop: Shop, input: SignUpInput): Promise<void> {
  const email = addressOf(input.email);
  const firstName = input.firstName.trim().slice(0, 100);
  const lastName = input.lastName.trim().slice(0, 100);
  const weak = weakPasswordReason(input.password, [email.email.split('@')[0] ?? '', firstName, lastName]);
  if (weak) throw refused('password', weak);
  const hash = await hashPassword(input.password, ctx.random);
  const posId = shop.pos.id;
  await db.transaction().execute(async (trx) => {
    const existing = await findAccountByEmail(trx, shop.orgId, email);
    if (existing) {
      const contact = contactFromRow(existing);
      await sendContactMail(trx, ctx, existing.password_hash ? EXISTS_ACTION : RESET_ACTION, { orgId: shop.orgId, contact, posId });
      return;
    }
    // A person signing up is an individual; an operator attaches them to a structure (as a relay
    // or a B2B individual) in the back-office, where structures are created.
    const contact = await createContact(trx, ctx, actor, shop.orgId, { email, firstName, lastName, kind: 'individual', passwordHash: hash });
    if (await validationRequired(trx, shop.orgId)) await sendContactMail(trx, ctx, VERIFY_ACTION, { orgId: shop.orgId, contact, posId });
  });
}

export type SignInResult = { kind: 'ok'; contact: Contact } | { kind: 'unverified'; contact: Contact } | { kind: 'failed' };

/**
 * Email + password. Unknown address and wrong password are one answer at one cost (a decoy hash
 * is checked for unknown addresses). A right password on an address not yet validated says so,
 * and only then: whoever typed it knows the password already.
 */
export async function signIn(db: Db, ctx: Ctx, shop: Shop, email: string, password: string): Promise<SignInResult> {
  const canonical = canonicalEmail(email);
  const account = canonical ? await findAccountByEmail(db, shop.orgId, canonical) : null;
  const stored = account?.password_hash ?? (await decoy(ctx));
  const ok = (await verifyPassword(password, stored)) && account?.password_hash != null && account.merged_into === null;
  if (!ok || !account) return { kind: 'failed' };
  const contact = contactFromRow(account);
  if (contact.emailStatus !== 'verified' && (await validationRequired(db, shop.orgId))) return { kind: 'unverified', contact };
  return { kind: 'ok', contact };
}

let decoyValue: Promise<string> | null = null;
function decoy(ctx: Ctx): Promise<string> {
  decoyValue ??= decoyHash(ctx.random);
  return decoyValue;
}

/** "Send the validation email again", offered after a sign-in with the right password. */
export async function resendVerification(db: Db, ctx: Ctx, shop: Shop, contact: Contact): Promise<void> {
  if (contact.emailStatus === 'verified') return;
  await sendContactMail(db, ctx, VERIFY_ACTION, { orgId: shop.orgId, contact, posId: shop.pos.id });
}

/** Forgot password: a link to the owner of an account with that address; the same answer otherwise. */
export async function requestPasswordReset(db: Db, ctx: Ctx, shop: Shop, email: string): Promise<void> {
  const canonical = canonicalEmail(email);
  const account = canonical ? await findAccountByEmail(db, shop.orgId, canonical) : null;
  if (account?.password_hash && account.merged_into === null) await sendContactMail(db, ctx, RESET_ACTION, { orgId: shop.orgId, contact: contactFromRow(account), posId: shop.pos.id });
}

/**
 * The contact a used shop link (verification or password reset) is for, if the link still fits:
 * same contact, same address as when it was sent. Anything else is a dead link.
 */
export async function contactOfLink(db: Db, credential: Credential): Promise<Contact | null> {
  if (credential.subjectType !== 'contact') return null;
  const account = await findAccountById(db, credential.orgId, credential.subjectId);
  if (!account || account.merged_into !== null || account.email_key !== credential.data['email_key']) return null;
  return contactFromRow(account);
}

/**
 * The verification link was used (inside the transaction that used it). A link sent because an
 * SSO sign-in met an unvalidated account with the same address also removes the password set
 * before validation: whoever set it did not prove the address (account pre-hijacking).
 */
export async function confirmEmailByLink(db: Db, ctx: Ctx, actor: Actor, credential: Credential): Promise<Contact> {
  const contact = await contactOfLink(db, credential);
  if (!contact) throw new DomainError('link_invalid', 'This link cannot be used');
  if (contact.emailStatus !== 'verified') await markEmailVerified(db, ctx, actor, credential.orgId, contact.id, 'link');
  if (credential.data['clear_password'] === '1' && contact.hasPassword) {
    await setContactPassword(db, ctx, actor, credential.orgId, contact.id, null);
    await endContactSessions(db, contact.id);
  }
  return contact;
}

/** A new password, checked and hashed before any transaction opens (scrypt takes a while). */
export interface NewPassword {
  password: string;
  hash: string;
}

export async function prepareNewPassword(ctx: Ctx, password: string): Promise<NewPassword> {
  const weak = weakPasswordReason(password);
  if (weak) throw refused('password', weak);
  return { password, hash: await hashPassword(password, ctx.random) };
}

/**
 * A new password through a reset link. The link reached the address, so the address is proven
 * too; every session of the account ends (whoever knew the old password is out).
 */
export async function resetPassword(db: Db, ctx: Ctx, actor: Actor, credential: Credential, next: NewPassword): Promise<Contact> {
  const contact = await contactOfLink(db, credential);
  if (!contact) throw new DomainError('link_invalid', 'This link cannot be used');
  const weak = weakPasswordReason(next.password, [contact.email.split('@')[0] ?? '', contact.firstName, contact.lastName]);
  if (weak) throw refused('password', weak);
  await setContactPassword(db, ctx, actor, credential.orgId, contact.id, next.hash);
  if (contact.emailStatus !== 'verified') await markEmailVerified(db, ctx, actor, credential.orgId, contact.id, 'link');
  await endContactSessions(db, contact.id);
  return contact;
}

/**
 * The customer changes their own address (current password required). The new address must be
 * validated; every session of the account ends at once, so they sign in again; the old address
 * is told. The password is checked before the transaction opens. `db` is the database.
 */
export async function changeOwnEmail(db: Kysely<Database>, ctx: Ctx, actor: Actor, shop: Shop, contactId: string, input: { password: string; email: string }): Promise<void> {
  const account = await findAccountById(db, shop.orgId, contactId);
  if (!account?.password_hash || !(await verifyPassword(input.password, account.password_hash))) throw refused('password', 'This is not your current password.');
  const email = addressOf(input.email);
  await db.transaction().execute(async (trx) => {
    const { previous } = await changeContactEmail(trx, ctx, actor, shop.orgId, contactId, email);
    await contactEmailChanged(trx, ctx, shop.orgId, contactId, email.email);
    await endContactSessions(trx, contactId);
    const contact = contactFromRow({ ...account, email: email.email, email_key: email.key, email_status: 'unverified' });
    await sendContactMail(trx, ctx, VERIFY_ACTION, { orgId: shop.orgId, contact, posId: shop.pos.id });
    await sendContactMail(trx, ctx, EMAIL_CHANGED_ACTION, { orgId: shop.orgId, contact, posId: shop.pos.id, to: previous });
  });
}

/**
 * An operator changes a contact's address in the back-office: the new address gets a verification
 * email (the operator's choice of template and shop), the customer's current session continues
 * until it ends.
 */
export async function changeEmailByOperator(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  contactId: string,
  input: { email: string; posId: string; templateId?: string | undefined },
): Promise<void> {
  const email = addressOf(input.email);
  const account = await findAccountById(db, orgId, contactId);
  if (!account) throw new DomainError('not_found', 'Contact not found');
  await changeContactEmail(db, ctx, actor, orgId, contactId, email);
  await contactEmailChanged(db, ctx, orgId, contactId, email.email);
  const contact = contactFromRow({ ...account, email: email.email, email_key: email.key, email_status: 'unverified' });
  await sendContactMail(db, ctx, VERIFY_ACTION, { orgId, contact, posId: input.posId, ...(input.templateId ? { templateId: input.templateId } : {}) });
}
