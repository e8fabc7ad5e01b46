import type { Kysely } from 'kysely';
import type { Database, Db, EmailSuppressionsTable, OutboxTable, SuppressionReason, SuppressionScope, TemplateType } from '../../db/database.js';
import { systemActor, type Actor, type Ctx } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { TOKEN_SEARCH_PATTERN } from '../../lib/tokens.js';
import { audit } from '../audit/index.js';
import { suppressionSkipReason } from './marketing.js';
import { headerSafe } from './render.js';
import { deleteSuppressions, findSuppressionPage, findSuppressionsForRows, markBounced, upsertSuppression, type SuppressionCursor } from './suppression.repository.js';

export const SUPPRESSION_REASONS: readonly SuppressionReason[] = ['hard_bounce', 'unsubscribed', 'invalid'];
export const SUPPRESSION_SCOPES: readonly SuppressionScope[] = ['all', 'marketing'];

export interface Suppression {
  /** The address as compared (lower case). */
  email: string;
  reason: SuppressionReason;
  scope: SuppressionScope;
  detail: string | null;
  createdAt: string;
}

export interface SuppressionInput {
  email: string;
  reason: SuppressionReason;
  /** Defaults: 'marketing' for an unsubscribe, 'all' otherwise. */
  scope?: SuppressionScope | undefined;
  detail?: string | null | undefined;
}

export interface SuppressionPage {
  items: Suppression[];
  /** Pass back as `after` for the next page; null on the last one. */
  next: string | null;
}

function suppressionFromRow(row: EmailSuppressionsTable): Suppression {
  return { email: row.email_key, reason: row.reason, scope: row.scope, detail: row.detail, createdAt: row.created_at };
}

/** Stored replies and notes are shown to organisers: one line, bounded, no credential. */
export function safeDetail(text: string | null | undefined): string | null {
  if (!text) return null;
  return headerSafe(text.replace(TOKEN_SEARCH_PATTERN, 'tsr_[redacted]'), 500) || null;
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path, message }]);
}

function emailKeyOf(email: unknown): string {
  const canonical = canonicalEmail(email);
  if (!canonical) throw invalid('/email', 'Enter a valid email address');
  return canonical.key;
}

const encodeCursor = (c: SuppressionCursor) => Buffer.from(JSON.stringify([c.createdAt, c.emailKey, c.scope])).toString('base64url');

function decodeCursor(cursor: string | undefined): SuppressionCursor | undefined {
  if (!cursor) return undefined;
  try {
    const [createdAt, emailKey, scope] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof emailKey === 'string' && typeof scope === 'string') return { createdAt, emailKey, scope };
  } catch {
    // fall through: a cursor we did not make
  }
  throw invalid('/cursor', 'invalid cursor');
}

/** An organisation's suppressions, newest first, optionally those whose address contains `q`. */
export async function listSuppressions(db: Db, orgId: string, options: { q?: string | undefined; after?: string | undefined; limit?: number | undefined }): Promise<SuppressionPage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const q = options.q?.trim().toLowerCase().slice(0, 254) || undefined;
  const rows = await findSuppressionPage(db, orgId, { q, after: decodeCursor(options.after), limit: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const next = rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, emailKey: last.email_key, scope: last.scope }) : null;
  return { items: items.map(suppressionFromRow), next };
}

/**
 * Stops mail to an address (the back-office, or the API reporting an asynchronous bounce). A
 * hard bounce or an invalid address stops all mail; an unsubscribe stops marketing mail unless
 * `scope` says all. Replaces a suppression of the same scope.
 */
export async function addSuppression(db: Db, ctx: Ctx, actor: Actor, orgId: string, input: SuppressionInput): Promise<Suppression> {
  const emailKey = emailKeyOf(input.email);
  if (!SUPPRESSION_REASONS.includes(input.reason)) throw invalid('/reason', `Reason must be one of ${SUPPRESSION_REASONS.join(', ')}`);
  const scope = input.scope ?? (input.reason === 'unsubscribed' ? 'marketing' : 'all');
  if (!SUPPRESSION_SCOPES.includes(scope)) throw invalid('/scope', 'Scope must be all or marketing');
  // A mailbox that does not exist does not exist for credentials either.
  if (input.reason !== 'unsubscribed' && scope !== 'all') throw invalid('/scope', 'A hard bounce or an invalid address stops all mail: use scope all');
  const row: EmailSuppressionsTable = { org_id: orgId, email_key: emailKey, reason: input.reason, scope, detail: safeDetail(input.detail), created_at: ctx.clock.now().toISOString() };
  await upsertSuppression(db, row);
  await audit(db, ctx, actor, { orgId, action: 'email_suppression.added', target: { type: 'email_suppression', id: emailKey }, data: { email: emailKey, reason: row.reason, scope } });
  return suppressionFromRow(row);
}

/** Lets mail reach the address again: one scope, or every suppression of it when none is given. */
export async function removeSuppression(db: Db, ctx: Ctx, actor: Actor, orgId: string, email: string, scope?: SuppressionScope): Promise<void> {
  const emailKey = emailKeyOf(email);
  if (scope !== undefined && !SUPPRESSION_SCOPES.includes(scope)) throw invalid('/scope', 'Scope must be all or marketing');
  const removed = await deleteSuppressions(db, orgId, emailKey, scope ? { scope } : {});
  if (removed === 0) throw new DomainError('not_found', 'This address is not suppressed');
  await audit(db, ctx, actor, { orgId, action: 'email_suppression.removed', target: { type: 'email_suppression', id: emailKey }, data: { email: emailKey, scope: scope ?? 'any' } });
}

/**
 * The receiving server refused the mailbox for good: the message is marked bounced with the
 * server's reply and the address suppressed for all mail of the organisation, in one transaction.
 * False when this worker no longer held the claim (nothing written).
 */
export async function recordHardBounce(db: Kysely<Database>, ctx: Ctx, row: OutboxTable, workerId: string, reply: string): Promise<boolean> {
  const detail = safeDetail(reply) ?? 'hard bounce';
  const now = ctx.clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    if (!(await markBounced(trx, row.id, workerId, { error: detail, now }))) return false;
    const emailKey = canonicalEmail(row.to_email)?.key;
    if (!emailKey) return true;
    await upsertSuppression(trx, { org_id: row.org_id, email_key: emailKey, reason: 'hard_bounce', scope: 'all', detail, created_at: now });
    await audit(trx, ctx, systemActor, {
      orgId: row.org_id,
      action: 'email_suppression.added',
      target: { type: 'email_suppression', id: emailKey },
      data: { email: emailKey, reason: 'hard_bounce', scope: 'all', outboxId: row.id },
    });
    return true;
  });
}

/** Suppressions of the addresses of a batch of claimed messages, by organisation and address. */
export type SuppressionIndex = Map<string, EmailSuppressionsTable[]>;

// Queued rows hold the canonical address, whose key is its lower-case form.
const indexKey = (orgId: string, toEmail: string) => `${orgId} ${toEmail.toLowerCase()}`;

export async function loadSuppressionIndex(db: Db, rows: ReadonlyArray<Pick<OutboxTable, 'org_id' | 'to_email'>>): Promise<SuppressionIndex> {
  const found = await findSuppressionsForRows(db, rows.map((r) => ({ orgId: r.org_id, emailKey: r.to_email.toLowerCase() })));
  const index: SuppressionIndex = new Map();
  for (const s of found) {
    const key = indexKey(s.org_id, s.email_key);
    index.set(key, [...(index.get(key) ?? []), s]);
  }
  return index;
}

/**
 * Checked again just before sending: an address that bounced or unsubscribed after the message
 * was queued (a campaign still sending, a retry) gets nothing more it should not get.
 */
export function skipReasonAtSend(index: SuppressionIndex, row: Pick<OutboxTable, 'org_id' | 'to_email' | 'category'>, type: TemplateType): string | null {
  return suppressionSkipReason(row.category, type, index.get(indexKey(row.org_id, row.to_email)));
}
