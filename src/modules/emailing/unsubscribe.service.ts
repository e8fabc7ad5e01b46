import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { audit } from '../audit/index.js';
import { getOrganisation } from '../organisations/index.js';
import { deleteSuppressions, findOutboxRecipient, findSuppressionsOf, insertSuppressionIfAbsent } from './suppression.repository.js';
import { verifyUnsubscribeToken } from './unsubscribe-token.js';

/** What an unsubscribe link is about: one address, one organisation. */
export interface UnsubscribeTarget {
  outboxId: string;
  orgId: string;
  orgName: string;
  /** The address as compared (lower case); pages show it masked. */
  emailKey: string;
  /** Currently unsubscribed from this organisation's marketing mail. */
  unsubscribed: boolean;
}

/**
 * The target of a link, or null for any token we did not sign (checked before the database is
 * touched) and for a message that no longer exists. Null gives no detail, by design.
 */
export async function findUnsubscribeTarget(db: Db, key: Buffer | readonly Buffer[], token: unknown): Promise<UnsubscribeTarget | null> {
  const outboxId = verifyUnsubscribeToken(key, token);
  if (!outboxId) return null;
  const message = await findOutboxRecipient(db, outboxId);
  const emailKey = message ? canonicalEmail(message.to_email)?.key : undefined;
  if (!message || !emailKey) return null;
  const organisation = await getOrganisation(db, message.org_id).catch(() => null);
  if (!organisation) return null;
  const suppressions = await findSuppressionsOf(db, message.org_id, emailKey);
  return { outboxId, orgId: organisation.id, orgName: organisation.name, emailKey, unsubscribed: suppressions.some((s) => s.reason === 'unsubscribed') };
}

/** Idempotent: a second click (or the provider's one-click POST after ours) changes nothing. */
export async function unsubscribe(db: Db, ctx: Ctx, actor: Actor, target: UnsubscribeTarget): Promise<void> {
  const row = { org_id: target.orgId, email_key: target.emailKey, reason: 'unsubscribed' as const, scope: 'marketing' as const, detail: null, created_at: ctx.clock.now().toISOString() };
  if (!(await insertSuppressionIfAbsent(db, row))) return;
  await audit(db, ctx, actor, {
    orgId: target.orgId,
    action: 'email_suppression.unsubscribed',
    target: { type: 'email_suppression', id: target.emailKey },
    data: { email: target.emailKey, scope: 'marketing', outboxId: target.outboxId },
  });
}

/** Undoes an unsubscribe (never a hard bounce: that address does not receive mail). */
export async function resubscribe(db: Db, ctx: Ctx, actor: Actor, target: UnsubscribeTarget): Promise<void> {
  const removed = await deleteSuppressions(db, target.orgId, target.emailKey, { reason: 'unsubscribed' });
  if (removed === 0) return;
  await audit(db, ctx, actor, {
    orgId: target.orgId,
    action: 'email_suppression.resubscribed',
    target: { type: 'email_suppression', id: target.emailKey },
    data: { email: target.emailKey, outboxId: target.outboxId },
  });
}
