import type { Db, SsoProvidersTable } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { keyringFor } from '../../lib/keyring.js';
import { openSecret, sealSecret } from '../../lib/secret-box.js';
import { audit } from '../audit/index.js';

/** An organisation's OpenID Connect provider as pages see it: never the client secret. */
export interface SsoProvider {
  id: string;
  orgId: string;
  name: string;
  issuer: string;
  clientId: string;
  enabled: boolean;
  createdAt: string;
}

export interface SsoProviderInput {
  name: string;
  issuer: string;
  clientId: string;
  /** Empty when editing: the stored secret is kept. */
  clientSecret: string;
  enabled: boolean;
}

const SECRET_PURPOSE = 'tessera/sso-client-secret/v1';

function fromRow(row: SsoProvidersTable): SsoProvider {
  return { id: row.id, orgId: row.org_id, name: row.name, issuer: row.issuer, clientId: row.client_id, enabled: row.enabled === 1, createdAt: row.created_at };
}

function refused(path: string, message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path: `/${path}`, message }]);
}

/**
 * An issuer is fetched by the server (discovery, keys, token): HTTPS only, so nobody on the
 * path can hand us keys. Outside production a loopback http issuer is accepted too (a provider
 * running on the developer's machine, the test suite's real provider).
 */
export function issuerAllowed(issuer: URL, env: string): boolean {
  if (issuer.protocol === 'https:') return true;
  return issuer.protocol === 'http:' && env !== 'production' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
}

function checked(input: SsoProviderInput, env: string, secretRequired: boolean): SsoProviderInput {
  const name = input.name.trim().slice(0, 100);
  if (!name) throw refused('name', 'Give the provider a name: the shop shows "Sign in with <name>".');
  let issuer: URL;
  try {
    issuer = new URL(input.issuer.trim());
  } catch {
    throw refused('issuer', 'Enter the issuer URL, such as https://login.example.com/realms/shop.');
  }
  if (!issuerAllowed(issuer, env) || issuer.search || issuer.hash || issuer.username) throw refused('issuer', 'The issuer must be an https:// URL without query or credentials.');
  const clientId = input.clientId.trim();
  if (!clientId || clientId.length > 500) throw refused('clientId', 'Enter the client id the provider gave you.');
  if (secretRequired && !input.clientSecret) throw refused('clientSecret', 'Enter the client secret the provider gave you.');
  if (input.clientSecret.length > 2000) throw refused('clientSecret', 'This client secret is too long.');
  // Kept as typed: the issuer the provider reports must match it exactly, trailing slash included.
  return { name, issuer: input.issuer.trim(), clientId, clientSecret: input.clientSecret, enabled: input.enabled };
}

/** The secret is sealed bound to the provider's id: a sealed value copied onto another provider does not open. */
function seal(ctx: Ctx, providerId: string, secret: string): string {
  return sealSecret(keyringFor(ctx.keys.encryption, SECRET_PURPOSE), secret, providerId);
}

export async function listSsoProviders(db: Db, orgId: string, only: 'all' | 'enabled' = 'all'): Promise<SsoProvider[]> {
  let query = db.selectFrom('sso_providers').selectAll().where('org_id', '=', orgId);
  if (only === 'enabled') query = query.where('enabled', '=', 1);
  return (await query.orderBy('name').orderBy('id').execute()).map(fromRow);
}

export async function getSsoProvider(db: Db, orgId: string, id: string): Promise<SsoProvider> {
  const row = await db.selectFrom('sso_providers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not_found', 'Sign-in provider not found');
  return fromRow(row);
}

/** The client secret, for the token request only; null when it no longer opens (key rotated out). */
export async function ssoClientSecret(db: Db, ctx: Ctx, provider: SsoProvider): Promise<string | null> {
  const row = await db.selectFrom('sso_providers').select('client_secret_sealed').where('id', '=', provider.id).where('org_id', '=', provider.orgId).executeTakeFirst();
  return row ? openSecret(keyringFor(ctx.keys.encryption, SECRET_PURPOSE), row.client_secret_sealed, provider.id) : null;
}

export async function createSsoProvider(db: Db, ctx: Ctx, actor: Actor, orgId: string, input: SsoProviderInput, env: string): Promise<SsoProvider> {
  const values = checked(input, env, true);
  const id = newId(ctx.clock, ctx.random);
  const row: SsoProvidersTable = {
    id,
    org_id: orgId,
    name: values.name,
    issuer: values.issuer,
    client_id: values.clientId,
    client_secret_sealed: seal(ctx, id, values.clientSecret),
    enabled: values.enabled ? 1 : 0,
    created_at: ctx.clock.now().toISOString(),
  };
  await db.insertInto('sso_providers').values(row).execute();
  await audit(db, ctx, actor, { orgId, action: 'sso_provider.created', target: { type: 'sso_provider', id }, data: { name: row.name, issuer: row.issuer, enabled: values.enabled } });
  return fromRow(row);
}

export async function updateSsoProvider(db: Db, ctx: Ctx, actor: Actor, orgId: string, id: string, input: SsoProviderInput, env: string): Promise<SsoProvider> {
  await getSsoProvider(db, orgId, id);
  const values = checked(input, env, false);
  await db
    .updateTable('sso_providers')
    .set({
      name: values.name,
      issuer: values.issuer,
      client_id: values.clientId,
      enabled: values.enabled ? 1 : 0,
      ...(values.clientSecret ? { client_secret_sealed: seal(ctx, id, values.clientSecret) } : {}),
    })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
  await audit(db, ctx, actor, { orgId, action: 'sso_provider.updated', target: { type: 'sso_provider', id }, data: { name: values.name, issuer: values.issuer, enabled: values.enabled, secretChanged: values.clientSecret !== '' } });
  return getSsoProvider(db, orgId, id);
}
