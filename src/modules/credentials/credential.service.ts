import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { hashToken } from '../../lib/tokens.js';
import { audit } from '../audit/index.js';
import { claimedPurpose, mintCredentialToken } from './credential-format.js';
import { credentialFromRow, findByHash, findById, findForSubject, insertCredential, recordFetch, revokeWhere, useByHash, type RevokeWhere } from './credential.repository.js';
import type { Credential, Expected, LinkState, MintInput, Minted } from './credential.types.js';

/** Anything longer is not one of ours: refuse before hashing attacker-sized input. */
const MAX_TOKEN_LENGTH = 64;

/**
 * Mints a personal credential: 160 random bits from the injected CSPRNG, prefixed and
 * checksummed, stored only as its SHA-256. The raw token is returned once, to be put in the
 * email being sent (or the redirect of a staff preview), and is never stored or logged.
 */
export async function mintCredential(db: Db, ctx: Ctx, input: MintInput): Promise<Minted> {
  const token = mintCredentialToken(input.purpose, ctx.random);
  const now = ctx.clock.now().toISOString();
  const row = {
    id: newId(ctx.clock, ctx.random),
    token_hash: hashToken(token),
    purpose: input.purpose,
    org_id: input.orgId,
    event_id: input.eventId,
    subject_type: input.subject.type,
    subject_id: input.subject.id,
    email: input.subject.email,
    outbox_id: input.outboxId ?? null,
    issued_by: input.issuedBy ?? null,
    data: JSON.stringify(input.data ?? {}),
    single_use: input.singleUse ? 1 : 0,
    test: input.test ? 1 : 0,
    created_at: now,
    expires_at: input.expiresAt,
    use_count: 0,
    last_used_at: null,
    consumed_at: null,
    revoked_at: null,
    revoked_reason: null,
    fetch_count: 0,
    last_fetched_at: null,
    last_fetch_agent: null,
  };
  await insertCredential(db, row);
  return { token, credential: credentialFromRow(row) };
}

function expectedMatch(credential: Credential, expected: Expected): boolean {
  if (!expected.purposes.includes(credential.purpose)) return false;
  return expected.eventId === undefined || credential.eventId === expected.eventId;
}

function stateOf(credential: Credential, now: string): LinkState {
  if (credential.revokedAt) return { state: 'revoked', credential };
  if (credential.consumedAt) return { state: 'used', credential };
  if (credential.expiresAt <= now) return { state: 'expired', credential };
  if (credential.test) return { state: 'test', credential };
  return { state: 'valid', credential };
}

/** The stored credential behind a presented token, if it is well-formed and ours for this use. */
async function lookup(db: Db, token: string, expected: Expected): Promise<Credential | null> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const purpose = claimedPurpose(token);
  if (!purpose || !expected.purposes.includes(purpose)) return null;
  const credential = await findByHash(db, hashToken(token));
  return credential && expectedMatch(credential, expected) ? credential : null;
}

/**
 * What a landing page (GET or HEAD) may say about a link. Changes nothing the link can do; it
 * counts the fetch, so organisers can see links opened by mail scanners that never clicked.
 */
export async function inspectLink(db: Db, ctx: Ctx, token: string, expected: Expected, fetch?: { userAgent: string | null }): Promise<LinkState> {
  const credential = await lookup(db, token, expected);
  if (!credential) return { state: 'unknown' };
  const now = ctx.clock.now().toISOString();
  if (fetch) await recordFetch(db, credential.id, now, fetch.userAgent?.slice(0, 300) ?? null);
  return stateOf(credential, now);
}

/** The one refusal every unusable link gets from an action: no hint of why. */
export function linkInvalid(): DomainError {
  return new DomainError('link_invalid', 'This link cannot be used');
}

/**
 * Uses a credential (the POST behind a landing page's button). One statement both checks and
 * uses it, so a one-time credential redeemed twice at the same moment works exactly once.
 * Every use is audited under the credential's subject.
 */
export async function redeemCredential(db: Db, ctx: Ctx, actor: Actor, token: string, expected: Expected): Promise<Credential> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw linkInvalid();
  const purpose = claimedPurpose(token);
  if (!purpose || !expected.purposes.includes(purpose)) throw linkInvalid();
  const now = ctx.clock.now().toISOString();
  const used = await useByHash(db, hashToken(token), expected.purposes, expected.eventId, now);
  if (!used) throw linkInvalid();
  await audit(db, ctx, actor, {
    orgId: used.orgId,
    action: 'credential.used',
    target: { type: used.subjectType, id: used.subjectId },
    data: { credentialId: used.id, purpose: used.purpose, eventId: used.eventId, outboxId: used.outboxId },
  });
  return used;
}

export async function getCredential(db: Db, orgId: string, id: string): Promise<Credential> {
  const credential = await findById(db, orgId, id);
  if (!credential) throw new DomainError('not_found', 'Link not found');
  return credential;
}

export interface RevokeInput extends Omit<RevokeWhere, 'orgId'> {
  reason: string;
}

/**
 * Revokes one link, all links of a participant, or all links of a purpose in an event. The
 * next request with any of them fails: verification reads revoked_at on every use.
 */
export async function revokeCredentials(db: Db, ctx: Ctx, actor: Actor, orgId: string, input: RevokeInput): Promise<number> {
  const { reason, ...where } = input;
  const count = await revokeWhere(db, { orgId, ...where }, ctx.clock.now().toISOString(), reason);
  if (actor.type !== 'system' || count > 0) {
    await audit(db, ctx, actor, {
      orgId,
      action: 'credential.revoked',
      target: where.subject ? { type: where.subject.type, id: where.subject.id } : where.id ? { type: 'credential', id: where.id } : where.eventId ? { type: 'event', id: where.eventId } : null,
      data: { count, reason, purpose: where.purpose ?? null, credentialId: where.id ?? null },
    });
  }
  return count;
}

export async function listSubjectCredentials(db: Db, orgId: string, subject: { type: Credential['subjectType']; id: string }, limit = 200): Promise<Credential[]> {
  return findForSubject(db, orgId, subject, limit);
}
