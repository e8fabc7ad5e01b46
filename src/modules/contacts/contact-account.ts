import type { ContactKind, ContactsTable, Db, EmailVerifiedVia } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import type { CanonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { findContactById, findContactsByEmailKeys, insertContacts, updateContactRow } from './contact.repository.js';
import { contactFromRow, type Contact } from './contact.service.js';

/**
 * A contact as a shop account: the stored row, password hash included. Stays inside the
 * customers module, which checks passwords; pages get `Contact`, which carries none.
 */
export type AccountRecord = ContactsTable;

export async function findAccountByEmail(db: Db, orgId: string, email: CanonicalEmail): Promise<AccountRecord | null> {
  return (await findContactsByEmailKeys(db, orgId, [email.key]))[0] ?? null;
}

export async function findAccountById(db: Db, orgId: string, contactId: string): Promise<AccountRecord | null> {
  return (await findContactById(db, orgId, contactId)) ?? null;
}

export interface NewContact {
  email: CanonicalEmail;
  firstName: string;
  lastName: string;
  kind: ContactKind;
  structureId?: string | null;
  passwordHash?: string | null;
}

/** A new contact; refused when the organisation already has one with this address. */
export async function createContact(db: Db, ctx: Ctx, actor: Actor, orgId: string, input: NewContact): Promise<Contact> {
  if ((await findContactsByEmailKeys(db, orgId, [input.email.key])).length > 0) {
    throw new DomainError('duplicate_email', 'Another contact of this organisation already uses that email');
  }
  const now = ctx.clock.now().toISOString();
  const row: ContactsTable = {
    id: newId(ctx.clock, ctx.random),
    org_id: orgId,
    email: input.email.email,
    email_key: input.email.key,
    first_name: input.firstName,
    last_name: input.lastName,
    kind: input.kind,
    email_status: 'unverified',
    email_verified_at: null,
    email_verified_via: null,
    password_hash: input.passwordHash ?? null,
    structure_id: input.structureId ?? null,
    merged_into: null,
    created_at: now,
    updated_at: now,
  };
  await insertContacts(db, [row]);
  await audit(db, ctx, actor, { orgId, action: 'contact.created', target: { type: 'contact', id: row.id }, data: { kind: input.kind, account: row.password_hash !== null } });
  return contactFromRow(row);
}

export async function setContactPassword(db: Db, ctx: Ctx, actor: Actor, orgId: string, contactId: string, passwordHash: string | null): Promise<void> {
  await updateContactRow(db, orgId, contactId, { password_hash: passwordHash, updated_at: ctx.clock.now().toISOString() });
  await audit(db, ctx, actor, { orgId, action: passwordHash ? 'contact.password_set' : 'contact.password_cleared', target: { type: 'contact', id: contactId }, data: {} });
}

/** Marks the current address validated, and how (the contact page shows it). */
export async function markEmailVerified(db: Db, ctx: Ctx, actor: Actor, orgId: string, contactId: string, via: EmailVerifiedVia): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await updateContactRow(db, orgId, contactId, { email_status: 'verified', email_verified_at: now, email_verified_via: via, updated_at: now });
  await audit(db, ctx, actor, { orgId, action: 'contact.email_verified', target: { type: 'contact', id: contactId }, data: { via } });
}

/**
 * A new address for a contact: it is not validated by anyone yet, whoever changed it. Refused
 * when another contact of the organisation has it. Returns the previous address (to notify it).
 * The caller also updates the participants' copy (participants' `contactEmailChanged`).
 */
export async function changeContactEmail(db: Db, ctx: Ctx, actor: Actor, orgId: string, contactId: string, email: CanonicalEmail): Promise<{ previous: string }> {
  const current = await findContactById(db, orgId, contactId);
  if (!current) throw new DomainError('not_found', 'Contact not found');
  if (current.email_key === email.key) throw new DomainError('validation_failed', 'This is already the address on file', [{ path: '/email', message: 'Same address' }]);
  if ((await findContactsByEmailKeys(db, orgId, [email.key])).length > 0) {
    throw new DomainError('duplicate_email', 'Another contact of this organisation already uses that email');
  }
  const now = ctx.clock.now().toISOString();
  await updateContactRow(db, orgId, contactId, { email: email.email, email_key: email.key, email_status: 'unverified', email_verified_at: null, email_verified_via: null, updated_at: now });
  await audit(db, ctx, actor, { orgId, action: 'contact.email_changed', target: { type: 'contact', id: contactId }, data: { by: actor.type } });
  return { previous: current.email };
}
