import { createHash } from 'node:crypto';
import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { completeIdempotencyRow, deleteIdempotencyKeysBefore, findIdempotencyKey, insertIdempotencyClaim } from './idempotency.repository.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
// A claimed key whose request has not finished yet; only visible if a writer forgot to complete it.
const PENDING = 0;

export interface IdempotentRequest {
  orgId: string;
  key: string;
  /** Hash of method, path and body: the same key with another request is a client bug. */
  requestHash: string;
}

export type Claim = { kind: 'claimed' } | { kind: 'replay'; statusCode: number; body: string };

export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${url}\n${JSON.stringify(body ?? null)}`).digest('hex');
}

/**
 * Claims an idempotency key inside the caller's transaction, before the write. The primary key
 * (org_id, key) makes a concurrent duplicate wait for this transaction and then find the stored
 * response, so two requests with one key never both execute. A failed write rolls the claim back
 * with it, so the client may retry with the same key.
 */
export async function claimIdempotencyKey(db: Db, ctx: Ctx, request: IdempotentRequest): Promise<Claim> {
  const now = ctx.clock.now();
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
  await deleteIdempotencyKeysBefore(db, cutoff, { orgId: request.orgId, key: request.key });
  const claimed = await insertIdempotencyClaim(db, {
    org_id: request.orgId,
    key: request.key,
    request_hash: request.requestHash,
    status_code: PENDING,
    response_body: '',
    created_at: now.toISOString(),
  });
  if (claimed) return { kind: 'claimed' };
  const stored = await findIdempotencyKey(db, request.orgId, request.key);
  if (!stored || stored.request_hash !== request.requestHash) {
    throw new DomainError('idempotency_conflict', 'This Idempotency-Key was already used for a different request');
  }
  if (stored.status_code === PENDING) {
    throw new DomainError('idempotency_conflict', 'A request with this Idempotency-Key is still in progress');
  }
  return { kind: 'replay', statusCode: stored.status_code, body: stored.response_body };
}

/** Stores the response of a claimed request, in the same transaction as its write. */
export async function completeIdempotencyKey(db: Db, request: Pick<IdempotentRequest, 'orgId' | 'key'>, response: { statusCode: number; body: string }): Promise<void> {
  await completeIdempotencyRow(db, request.orgId, request.key, { status_code: response.statusCode, response_body: response.body });
}

/** Forgets keys older than the 24-hour window. */
export async function pruneIdempotencyKeys(db: Db, ctx: Ctx): Promise<number> {
  return deleteIdempotencyKeysBefore(db, new Date(ctx.clock.now().getTime() - IDEMPOTENCY_TTL_MS).toISOString());
}
