import type { Db, EmailSuppressionsTable, OutboxTable, RecipientKind, SuppressionReason, SuppressionScope, TemplateType } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { findTokens } from '../../lib/tokens.js';
import { PRIORITY, type BulkEnqueueInput, type Enqueued, type EnqueueInput, type RecipientRef } from './emailing.types.js';
import { INVALID_ADDRESS, suppressionSkipReason } from './marketing.js';
import { countCampaignStatuses, deleteSuppression, findSuppressions, insertOutboxRows, insertSuppression } from './outbox.repository.js';
import { headerSafe } from './render.js';
import { findTemplate } from './template.repository.js';

const RECIPIENT_KINDS: readonly RecipientKind[] = ['participant', 'contact', 'staff'];

type Common = Omit<BulkEnqueueInput, 'messages'>;

function checkedData(data: Record<string, string> | undefined): string {
  const json = JSON.stringify(data ?? {});
  // The outbox is readable by anyone who can read the database: a credential must never be queued.
  if (findTokens(json).length > 0) throw new Error('outbox data must not contain a credential: mint it in a merge tag at send time');
  return json;
}

function outboxRow(ctx: Ctx, input: Common & { type: TemplateType }, recipient: RecipientRef, data: string, suppressed: Map<string, EmailSuppressionsTable[]>, now: string): OutboxTable {
  if (!RECIPIENT_KINDS.includes(recipient.kind) || !isId(recipient.id)) throw new DomainError('validation_failed', 'Unknown recipient');
  const email = canonicalEmail(recipient.email);
  // Unsubscribing stops marketing mail, never the credentials or verification mail a person needs.
  const reason = email ? suppressionSkipReason(input.category, input.type, suppressed.get(email.key)) : INVALID_ADDRESS;
  return {
    id: newId(ctx.clock, ctx.random),
    org_id: input.orgId,
    event_id: input.eventId ?? null,
    campaign_id: input.campaignId ?? null,
    template_id: input.templateId,
    category: input.category,
    priority: PRIORITY[input.category],
    recipient_kind: recipient.kind,
    recipient_id: recipient.id,
    // An invalid address is kept (on one line, bounded) so the organiser sees what was wrong.
    to_email: email?.email ?? headerSafe(String(recipient.email ?? ''), 254),
    to_name: headerSafe(String(recipient.name ?? ''), 200),
    data,
    status: reason ? 'skipped' : 'queued',
    attempts: 0,
    next_attempt_at: now,
    claimed_by: null,
    claimed_until: null,
    message_id: null,
    last_error: reason,
    sent_at: null,
    created_at: now,
    updated_at: now,
  };
}

async function suppressionsFor(db: Db, orgId: string, recipients: RecipientRef[]): Promise<Map<string, EmailSuppressionsTable[]>> {
  const keys = [...new Set(recipients.map((r) => canonicalEmail(r.email)?.key).filter((k): k is string => k !== undefined))];
  const map = new Map<string, EmailSuppressionsTable[]>();
  for (const row of await findSuppressions(db, orgId, keys)) map.set(row.email_key, [...(map.get(row.email_key) ?? []), row]);
  return map;
}

/** The template's type decides whether a message is marketing (see marketing.ts). */
async function checkTemplateOf(db: Db, input: Common): Promise<TemplateType> {
  const template = isId(input.templateId) ? await findTemplate(db, input.orgId, input.templateId) : null;
  if (!template) throw new DomainError('not_found', 'Template not found');
  if (template.eventId !== null && template.eventId !== (input.eventId ?? null)) throw new DomainError('validation_failed', 'This template belongs to another event');
  return template.type;
}

/**
 * The one way to send an email: writes the outbox row inside the caller's transaction, so the
 * message exists if and only if the change that causes it commits. The worker renders and sends
 * it later. An invalid or suppressed address is written as 'skipped', with the reason, so it shows.
 */
export async function enqueueEmail(trx: Db, ctx: Ctx, input: EnqueueInput): Promise<Enqueued> {
  const type = await checkTemplateOf(trx, input);
  const data = checkedData(input.data);
  const row = outboxRow(ctx, { ...input, type }, input.recipient, data, await suppressionsFor(trx, input.orgId, [input.recipient]), ctx.clock.now().toISOString());
  await insertOutboxRows(trx, [row]);
  return { id: row.id, status: row.status === 'skipped' ? 'skipped' : 'queued', reason: row.last_error };
}

/** The same for many recipients (a campaign): a few multi-row statements per 500 messages. */
export async function enqueueEmails(trx: Db, ctx: Ctx, input: BulkEnqueueInput): Promise<{ queued: number; skipped: number }> {
  const common = { ...input, type: await checkTemplateOf(trx, input) };
  const now = ctx.clock.now().toISOString();
  let queued = 0;
  for (let i = 0; i < input.messages.length; i += 500) {
    const chunk = input.messages.slice(i, i + 500);
    const suppressed = await suppressionsFor(trx, input.orgId, chunk.map((m) => m.recipient));
    const rows = chunk.map((m) => outboxRow(ctx, common, m.recipient, checkedData(m.data), suppressed, now));
    await insertOutboxRows(trx, rows);
    queued += rows.filter((r) => r.status === 'queued').length;
  }
  return { queued, skipped: input.messages.length - queued };
}

/** Hard bounces and invalid addresses stop all mail; an unsubscribe stops campaigns only. */
export async function suppressAddress(db: Db, ctx: Ctx, orgId: string, email: string, reason: SuppressionReason): Promise<void> {
  const canonical = canonicalEmail(email);
  const key = canonical?.key ?? email.trim().toLowerCase();
  const scope: SuppressionScope = reason === 'unsubscribed' ? 'marketing' : 'all';
  await insertSuppression(db, { org_id: orgId, email_key: key, reason, scope, detail: null, created_at: ctx.clock.now().toISOString() });
}

export async function unsuppressAddress(db: Db, orgId: string, email: string, scope: SuppressionScope): Promise<void> {
  const key = canonicalEmail(email)?.key ?? email.trim().toLowerCase();
  await deleteSuppression(db, orgId, key, scope);
}

/** Messages of a campaign by status, for its progress display. */
export async function campaignDeliveryCounts(db: Db, orgId: string, campaignId: string) {
  return countCampaignStatuses(db, orgId, campaignId);
}
