import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { audit } from '../audit/index.js';
import { contactFromRow, createContact, findAccountByEmail, findAccountById, markEmailVerified, type Contact } from '../contacts/index.js';
import { sendContactMail, VERIFY_ACTION } from '../customers/index.js';
import type { Shop } from '../shop/index.js';
import type { SsoClaims } from './oidc-flow.js';
import type { SsoProvider } from './sso-provider.service.js';

export type SsoSignInResult =
  /** Sign the contact in. */
  | { kind: 'ok'; contact: Contact; created: boolean }
  /** An account with this address exists and is not validated: a verification email went to it. */
  | { kind: 'validate_first'; email: string }
  /** The provider gave no address, or did not vouch for it: nothing created, nothing linked. */
  | { kind: 'email_not_verified' };

async function link(db: Db, ctx: Ctx, provider: SsoProvider, claims: SsoClaims, contactId: string, email: string): Promise<void> {
  await db.insertInto('sso_identities').values({ provider_id: provider.id, subject: claims.subject, contact_id: contactId, email, created_at: ctx.clock.now().toISOString() }).execute();
}

/**
 * Who a validated ID token signs in (inside the caller's transaction). The provider is
 * responsible for the addresses it vouches for (`email_verified`), so an SSO account counts as
 * validated; but an address is only ever linked to an existing account once that account's own
 * address is proven to us:
 * - a known (provider, subject): that contact, whatever the address says today;
 * - no vouched address: refused (never an account validated on the provider's doubt);
 * - no contact with the address: a new one, validated via 'sso', linked;
 * - a contact with a validated address: linked;
 * - a contact whose address is not validated: not linked, no session. Its address gets a
 *   verification link that also removes any password set before validation and ends its
 *   sessions: whoever pre-registered the address with a password of their own (account
 *   pre-hijacking) loses it when the owner validates; the owner then signs in with SSO again.
 */
export async function signInWithSso(db: Db, ctx: Ctx, actor: Actor, shop: Shop, provider: SsoProvider, claims: SsoClaims): Promise<SsoSignInResult> {
  const known = await db.selectFrom('sso_identities').select('contact_id').where('provider_id', '=', provider.id).where('subject', '=', claims.subject).executeTakeFirst();
  if (known) {
    const account = await findAccountById(db, shop.orgId, known.contact_id);
    // A merged contact's identity follows it into the contact it was merged into.
    const current = account?.merged_into ? await findAccountById(db, shop.orgId, account.merged_into) : account;
    if (current) return { kind: 'ok', contact: contactFromRow(current), created: false };
  }
  const email = claims.email ? canonicalEmail(claims.email) : null;
  if (!email || !claims.emailVerified) return { kind: 'email_not_verified' };

  const existing = await findAccountByEmail(db, shop.orgId, email);
  if (!existing) {
    const kind = shop.pos.channelKind === 'internet_b2c' ? 'individual' : 'relay';
    const contact = await createContact(db, ctx, actor, shop.orgId, { email, firstName: claims.givenName, lastName: claims.familyName, kind });
    await markEmailVerified(db, ctx, actor, shop.orgId, contact.id, 'sso');
    await link(db, ctx, provider, claims, contact.id, email.email);
    await audit(db, ctx, actor, { orgId: shop.orgId, action: 'contact.sso_linked', target: { type: 'contact', id: contact.id }, data: { provider: provider.id, created: true } });
    const created = await findAccountById(db, shop.orgId, contact.id);
    return { kind: 'ok', contact: contactFromRow(created!), created: true };
  }
  const contact = contactFromRow(existing);
  if (existing.merged_into === null && contact.emailStatus === 'verified') {
    await link(db, ctx, provider, claims, contact.id, email.email);
    await audit(db, ctx, actor, { orgId: shop.orgId, action: 'contact.sso_linked', target: { type: 'contact', id: contact.id }, data: { provider: provider.id, created: false } });
    return { kind: 'ok', contact, created: false };
  }
  if (existing.merged_into === null) {
    await sendContactMail(db, ctx, VERIFY_ACTION, { orgId: shop.orgId, contact, posId: shop.pos.id, data: { clear_password: '1' } });
    await audit(db, ctx, actor, { orgId: shop.orgId, action: 'contact.sso_link_deferred', target: { type: 'contact', id: contact.id }, data: { provider: provider.id } });
  }
  return { kind: 'validate_first', email: email.email };
}
