import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { hashToken, mintToken, tokenKind } from '../../lib/tokens.js';
import { audit } from '../audit/index.js';
import { apiKeyFromRow, findActiveApiKeyByHash, findApiKeys, insertApiKey, revokeApiKeyRow, touchApiKey } from './api-key.repository.js';
import { API_KEY_KIND, DISPLAY_PREFIX_LENGTH, MAX_KEY_NAME_LENGTH, type ApiKey, type ApiKeyPrincipal } from './api-key.types.js';

// Writing last_used_at on every call would turn every API read into a write.
const TOUCH_INTERVAL_MS = 60_000;

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The raw key: returned once, to be shown once, never stored. */
  secret: string;
}

/** Mints a key for one organisation; only its SHA-256 is stored. */
export async function createApiKey(db: Db, ctx: Ctx, actor: Actor, orgId: string, input: { name: string }): Promise<CreatedApiKey> {
  const name = input.name.trim();
  if (!name || name.length > MAX_KEY_NAME_LENGTH) {
    throw new DomainError('validation_failed', `Give the key a name of at most ${MAX_KEY_NAME_LENGTH} characters`, [
      { path: '/name', message: 'required, at most 100 characters' },
    ]);
  }
  const secret = mintToken(API_KEY_KIND, ctx.random);
  const now = ctx.clock.now().toISOString();
  const row = {
    id: newId(ctx.clock, ctx.random),
    org_id: orgId,
    name,
    display_prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
    key_hash: hashToken(secret),
    created_by: actor.type === 'staff' ? actor.id : null,
    created_at: now,
    last_used_at: null,
    revoked_at: null,
  };
  await insertApiKey(db, row);
  await audit(db, ctx, actor, { orgId, action: 'api_key.created', target: { type: 'api_key', id: row.id }, data: { name, prefix: row.display_prefix } });
  return { apiKey: apiKeyFromRow(row), secret };
}

export async function listApiKeys(db: Db, orgId: string): Promise<ApiKey[]> {
  return findApiKeys(db, orgId);
}

/** Takes effect on the very next request: verification reads the database every time. */
export async function revokeApiKey(db: Db, ctx: Ctx, actor: Actor, orgId: string, keyId: string): Promise<void> {
  const revoked = isId(keyId) ? await revokeApiKeyRow(db, orgId, keyId, ctx.clock.now().toISOString()) : undefined;
  if (!revoked) throw new DomainError('not_found', 'API key not found or already revoked');
  await audit(db, ctx, actor, {
    orgId,
    action: 'api_key.revoked',
    target: { type: 'api_key', id: revoked.id },
    data: { name: revoked.name, prefix: revoked.display_prefix },
  });
}

/**
 * The key's principal, or null for anything else: malformed, unknown and revoked keys are not told
 * apart. The checksum rejects typos and random strings without touching the database.
 */
export async function verifyApiKey(db: Db, ctx: Ctx, presented: string): Promise<ApiKeyPrincipal | null> {
  if (tokenKind(presented) !== API_KEY_KIND) return null;
  const row = await findActiveApiKeyByHash(db, hashToken(presented));
  if (!row) return null;
  const now = ctx.clock.now();
  const lastUsed = row.last_used_at ? Date.parse(row.last_used_at) : 0;
  if (now.getTime() - lastUsed >= TOUCH_INTERVAL_MS) {
    await touchApiKey(db, row.id, now.toISOString(), new Date(now.getTime() - TOUCH_INTERVAL_MS).toISOString());
  }
  return { id: row.id, orgId: row.org_id, name: row.name };
}
