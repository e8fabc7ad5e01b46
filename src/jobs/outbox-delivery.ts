import '../modules/capabilities.js';
import type { Db, OutboxTable } from '../db/database.js';
import type { Ctx } from '../lib/context.js';
import type { ServerKeys } from '../lib/keyring.js';
import { DomainError } from '../lib/errors.js';
import { TOKEN_SEARCH_PATTERN } from '../lib/tokens.js';
import {
  findTemplatesByIds,
  headerSafe,
  isMarketingMessage,
  isMarketingType,
  listUnsubscribeHeaders,
  loadRecipients,
  loadSuppressionIndex,
  recipientKey,
  renderEmail,
  skipReasonAtSend,
  TemplateRenderError,
  unsubscribeUrl,
  type EmailTemplate,
  type MergeTagContext,
  type RecipientData,
  type SuppressionIndex,
} from '../modules/emailing/index.js';
import { getEvent, type Event } from '../modules/events/index.js';
import type { MailTransport, OutgoingMail } from '../modules/mail-transport/index.js';
import { getOrganisation } from '../modules/organisations/index.js';
import { classifySmtpFailure } from './retry-policy.js';

/** How one message ended this time round. */
export type Outcome =
  | { kind: 'sent' }
  | { kind: 'retry'; reason: string }
  | { kind: 'failed'; reason: string }
  /** A hard bounce: recorded as bounced, and the address suppressed. */
  | { kind: 'bounced'; reason: string }
  | { kind: 'skipped'; reason: string };

/** Everything a batch of rows needs, loaded in a few queries rather than per message. */
export interface BatchData {
  templates: Map<string, EmailTemplate>;
  recipients: Map<string, RecipientData>;
  organisations: Map<string, Promise<{ id: string; name: string }>>;
  events: Map<string, Promise<Event | null>>;
  suppressions: SuppressionIndex;
}

/** The promise is kept, not its value: the batch's concurrent lanes then share one query. */
function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) map.set(key, (value = load()));
  return value;
}

export async function loadBatch(db: Db, rows: OutboxTable[]): Promise<BatchData> {
  const templateIds = [...new Set(rows.map((r) => r.template_id).filter((id): id is string => id !== null))];
  const templates = new Map((await findTemplatesByIds(db, templateIds)).map((t) => [t.id, t]));
  const recipients = await loadRecipients(db, rows.map((r) => ({ orgId: r.org_id, kind: r.recipient_kind, id: r.recipient_id })));
  return { templates, recipients, organisations: new Map(), events: new Map(), suppressions: await loadSuppressionIndex(db, rows) };
}

async function eventOf(db: Db, batch: BatchData, orgId: string, eventId: string | null): Promise<Event | null> {
  if (!eventId) return null;
  return cached(batch.events, `${orgId}:${eventId}`, () =>
    getEvent(db, orgId, eventId).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === 'not_found') return null;
      throw err;
    }),
  );
}

/** Server replies are stored for the organiser to read: one line, bounded, no credential. */
export function safeReason(reason: string): string {
  return headerSafe(reason.replace(TOKEN_SEARCH_PATTERN, 'tsr_[redacted]'), 500) || 'unknown error';
}

export interface DeliveryDeps {
  db: Db;
  ctx: Ctx;
  transport: MailTransport;
  publicUrl: URL;
  keys: ServerKeys;
  from: string;
  /** Signs unsubscribe links (derived from the server's HMAC secret). */
  unsubscribeKey: Buffer;
}

async function mergeContext(deps: DeliveryDeps, batch: BatchData, row: OutboxTable, template: EmailTemplate, recipient: RecipientData, unsubscribe: string | undefined): Promise<MergeTagContext> {
  const organisation = await cached(batch.organisations, row.org_id, async () => {
    const org = await getOrganisation(deps.db, row.org_id);
    return { id: org.id, name: org.name };
  });
  const event = await eventOf(deps.db, batch, row.org_id, row.event_id ?? recipient.eventId);
  const data = JSON.parse(row.data) as Record<string, string>;
  const base = { db: deps.db, ctx: deps.ctx, publicUrl: deps.publicUrl, keys: deps.keys, mode: 'send' as const, orgId: row.org_id };
  return { ...base, organisation, event, template: { id: template.id, type: template.type }, recipient, outboxId: row.id, data, unsubscribeUrl: unsubscribe };
}

/** `<outbox id@public host>`: the same on every retry, so receivers and we can spot a resend. */
export function messageIdOf(row: OutboxTable, publicUrl: URL): string {
  return `<${row.id}@${publicUrl.hostname}>`;
}

async function message(deps: DeliveryDeps, batch: BatchData, row: OutboxTable, template: EmailTemplate, recipient: RecipientData): Promise<OutgoingMail> {
  // Rendered here, just before sending: personal credentials are minted now and the bodies live
  // only in this message object, never in the database.
  const unsubscribe = isMarketingType(template.type) ? unsubscribeUrl(deps.publicUrl, deps.unsubscribeKey, row.id) : undefined;
  const rendered = await renderEmail(template, await mergeContext(deps, batch, row, template, recipient, unsubscribe));
  const headers: Record<string, string> = row.category === 'transactional' ? { 'Auto-Submitted': 'auto-generated' } : { Precedence: 'bulk' };
  if (unsubscribe && isMarketingMessage(row.category, template.type)) Object.assign(headers, listUnsubscribeHeaders(unsubscribe));
  const name = headerSafe(row.to_name, 200);
  return {
    from: deps.from,
    to: name ? { email: row.to_email, name } : { email: row.to_email },
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId: messageIdOf(row, deps.publicUrl),
    headers,
    ...(rendered.inline?.length ? { inline: rendered.inline } : {}),
  };
}

/** Renders and sends one claimed row; says what happened, records nothing. */
export async function deliver(deps: DeliveryDeps, batch: BatchData, row: OutboxTable): Promise<Outcome> {
  const template = row.template_id ? batch.templates.get(row.template_id) : undefined;
  if (!template || template.orgId !== row.org_id) return { kind: 'failed', reason: 'The template was deleted' };
  const recipient = batch.recipients.get(recipientKey({ orgId: row.org_id, kind: row.recipient_kind, id: row.recipient_id }));
  if (!recipient) return { kind: 'skipped', reason: 'The recipient no longer exists' };
  const suppressed = skipReasonAtSend(batch.suppressions, row, template.type);
  if (suppressed) return { kind: 'skipped', reason: suppressed };
  let mail: OutgoingMail;
  try {
    mail = await message(deps, batch, row, template, recipient);
  } catch (err) {
    if (err instanceof TemplateRenderError) return { kind: 'failed', reason: safeReason(err.message) };
    throw err;
  }
  try {
    const result = await deps.transport.send(mail);
    if (result.ok) return { kind: 'sent' };
    if (result.kind === 'temporary') return { kind: 'retry', reason: safeReason(result.reason) };
    return { kind: classifySmtpFailure(result.reason) === 'hard_bounce' ? 'bounced' : 'failed', reason: safeReason(result.reason) };
  } catch (err) {
    // A transport that throws instead of classifying: the message may be fine, try again later.
    return { kind: 'retry', reason: safeReason(`transport error: ${err instanceof Error ? err.message : String(err)}`) };
  }
}
