import type { EmailSuppressionsTable, OutboxCategory, TemplateType } from '../../db/database.js';

/**
 * Marketing mail: a campaign of an invitation, reminder, update request or custom template. Only
 * these carry an unsubscribe link (and the List-Unsubscribe headers), and only these stop for a
 * marketing unsubscribe. Credentials and account verification are what a person needs to take
 * part, so they are transactional even when a campaign sends them; and mail sent to one person
 * for a reason of their own (a sign-in link, a resend) is transactional whatever its template.
 */
export const MARKETING_TEMPLATE_TYPES: readonly TemplateType[] = ['invitation', 'reminder', 'update_request', 'custom'];

export function isMarketingType(type: TemplateType): boolean {
  return MARKETING_TEMPLATE_TYPES.includes(type);
}

export function isMarketingMessage(category: OutboxCategory, type: TemplateType): boolean {
  return category === 'campaign' && isMarketingType(type);
}

/** What a skipped message shows as its reason when the address itself is not valid. */
export const INVALID_ADDRESS = 'invalid address';

const day = (iso: string) => iso.slice(0, 10);

/** The reason a recipient list shows for a suppressed address, in words. */
export function suppressionText(s: Pick<EmailSuppressionsTable, 'reason' | 'scope' | 'detail' | 'created_at'>): string {
  if (s.reason === 'hard_bounce') return s.detail ? `hard bounce: ${s.detail}` : `hard bounce reported on ${day(s.created_at)}`;
  if (s.reason === 'invalid') return `address reported invalid on ${day(s.created_at)}`;
  return `unsubscribed from ${s.scope === 'marketing' ? 'marketing' : 'all'} emails on ${day(s.created_at)}`;
}

/**
 * Why a message to this address must not be sent, or null. A scope 'all' suppression (hard
 * bounce, invalid address) stops everything; a marketing unsubscribe stops marketing mail only.
 */
export function suppressionSkipReason(category: OutboxCategory, type: TemplateType, suppressions: readonly EmailSuppressionsTable[] | undefined): string | null {
  const all = suppressions?.find((s) => s.scope === 'all');
  if (all) return suppressionText(all);
  const marketing = suppressions?.find((s) => s.scope === 'marketing');
  return marketing && isMarketingMessage(category, type) ? suppressionText(marketing) : null;
}
