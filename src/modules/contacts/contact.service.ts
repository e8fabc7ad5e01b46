import type { ContactKind, ContactsTable, Db, EmailVerifiedVia } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import type { CanonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { findContactById, findContactsByEmailKeys, insertContacts, updateContactRow } from './contact.repository.js';

export interface Contact {
  id: string;
  orgId: string;
  email: string;
  firstName: string;
  lastName: string;
  kind: ContactKind;
  emailStatus: 'unverified' | 'verified';
  emailVerifiedAt: string | null;
  emailVerifiedVia: EmailVerifiedVia | null;
  /** A shop account: the contact can sign in with a password. */
  hasPassword: boolean;
  structureId: string | null;
  mergedInto: string | null;
  createdAt: string;
}

export function contactFromRow(row: ContactsTable): Contact {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    kind: row.kind,
    emailStatus: row.email_status,
    emailVerifiedAt: row.email_verified_at,
    emailVerifiedVia: row.email_verified_via,
    hasPassword: row.password_hash !== null,
    structureId: row.structure_id,
    mergedInto: row.merged_into,
    createdAt: row.created_at,
  };
}

export interface ContactSeed {
  email: CanonicalEmail;
  firstName: string;
  lastName: string;
  kind?: ContactKind;
}

/**
 * Finds or creates the organisation's contacts for these addresses in two statements, so bulk
 * paths (import, API) stay fast. Returns a map from email key to contact row.
 */
export async function ensureContacts(db: Db, ctx: Ctx, orgId: string, seeds: ContactSeed[]): Promise<Map<string, ContactsTable>> {
  const byKey = new Map((await findContactsByEmailKeys(db, orgId, seeds.map((s) => s.email.key))).map((c) => [c.email_key, c]));
  const now = ctx.clock.now().toISOString();
  const fresh: ContactsTable[] = [];
  for (const seed of seeds) {
    if (byKey.has(seed.email.key)) continue;
    const row: ContactsTable = {
      id: newId(ctx.clock, ctx.random),
      org_id: orgId,
      email: seed.email.email,
      email_key: seed.email.key,
      first_name: seed.firstName,
      last_name: seed.lastName,
      kind: seed.kind ?? 'individual',
      email_status: 'unverified',
      email_verified_at: null,
      email_verified_via: null,
      password_hash: null,
      structure_id: null,
      merged_into: null,
      created_at: now,
      updated_at: now,
    };
    byKey.set(seed.email.key, row);
    fresh.push(row);
  }
  await insertContacts(db, fresh);
  return byKey;
}

export async function getContact(db: Db, orgId: string, id: string): Promise<Contact> {
  const row = await findContactById(db, orgId, id);
  if (!row) throw new DomainError('not_found', 'Contact not found');
  return contactFromRow(row);
}

/** Changes a contact's address; refused when another contact of the organisation has it. */
export async function changeContactIdentity(
  db: Db,
  ctx: Ctx,
  orgId: string,
  contactId: string,
  input: { email: CanonicalEmail; firstName: string; lastName: string },
): Promise<{ emailChanged: boolean }> {
  const current = await findContactById(db, orgId, contactId);
  if (!current) throw new DomainError('not_found', 'Contact not found');
  const emailChanged = current.email_key !== input.email.key;
  if (emailChanged && (await findContactsByEmailKeys(db, orgId, [input.email.key])).length > 0) {
    throw new DomainError('duplicate_email', 'Another person in this organisation already uses that email');
  }
  await updateContactRow(db, orgId, contactId, {
    email: input.email.email,
    email_key: input.email.key,
    first_name: input.firstName,
    last_name: input.lastName,
    // A new address has not been proven by anyone yet.
    ...(emailChanged ? { email_status: 'unverified' as const, email_verified_at: null, email_verified_via: null } : {}),
    updated_at: ctx.clock.now().toISOString(),
  });
  return { emailChanged };
}
