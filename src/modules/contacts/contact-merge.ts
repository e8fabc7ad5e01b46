import type { Db, EmailVerifiedVia } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { updateContactRow } from './contact.repository.js';
import type { Contact } from './contact.service.js';

/** An address and what is known about it: what a merge decides for the parent. */
export interface AddressState {
  email: string;
  key: string;
  status: 'verified' | 'unverified';
  verifiedAt: string | null;
  via: EmailVerifiedVia | null;
}

export function addressStateOf(contact: Contact): AddressState {
  return { email: contact.email, key: contact.email.toLowerCase(), status: contact.emailStatus, verifiedAt: contact.emailVerifiedAt, via: contact.emailVerifiedVia };
}

/**
 * The parent's address after a merge (the secutix rules):
 * - the parent takes the child's address: the child's validation (status, date, way) comes with it;
 * - both have the same address and either is validated: the parent ends validated, by 'merge'
 *   when only the child was (an organisation's contacts have distinct addresses, so this holds
 *   only for data from elsewhere, but the rule does not depend on that);
 * - otherwise the parent keeps its own address and status.
 */
export function mergedAddress(parent: AddressState, child: AddressState, takeChildEmail: boolean, now: string): AddressState {
  if (parent.key === child.key) {
    if (parent.status === 'verified' || child.status !== 'verified') return parent;
    return { ...parent, status: 'verified', verifiedAt: now, via: 'merge' };
  }
  return takeChildEmail ? child : parent;
}

/**
 * The contact rows of a merge, inside its transaction: the child's address is freed first (the
 * organisation's addresses are unique and the parent may take it), the child points to its
 * parent, then the parent gets its address. The child row stays for the audit trail.
 */
export async function mergeContactRows(db: Db, ctx: Ctx, orgId: string, parentId: string, childId: string, address: AddressState): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await updateContactRow(db, orgId, childId, { email_key: `merged:${childId}`, merged_into: parentId, updated_at: now });
  await updateContactRow(db, orgId, parentId, {
    email: address.email,
    email_key: address.key,
    email_status: address.status,
    email_verified_at: address.verifiedAt,
    email_verified_via: address.via,
    updated_at: now,
  });
  await db.updateTable('contacts').set({ structure_id: parentId, updated_at: now }).where('org_id', '=', orgId).where('structure_id', '=', childId).execute();
}
