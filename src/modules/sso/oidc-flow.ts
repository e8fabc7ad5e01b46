import * as oidc from 'openid-client';
import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { issuerAllowed, ssoClientSecret, type SsoProvider } from './sso-provider.service.js';

/** What the browser keeps between the start of a sign-in and the provider's answer (signed cookie). */
export interface SsoFlowState {
  providerId: string;
  state: string;
  nonce: string;
  verifier: string;
}

/** What Tessera learns from a validated ID token. */
export interface SsoClaims {
  subject: string;
  email: string | null;
  /** Only a literal `email_verified: true` counts: absent means the provider did not vouch. */
  emailVerified: boolean;
  givenName: string;
  familyName: string;
}

const DISCOVERY_TTL_MS = 10 * 60_000;
const discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

/**
 * The provider's configuration (discovery document), kept ten minutes per provider, issuer and
 * client so a sign-in does not fetch it twice, and an edited provider is discovered again.
 */
async function configurationOf(db: Db, ctx: Ctx, provider: SsoProvider, env: string): Promise<oidc.Configuration> {
  const secret = await ssoClientSecret(db, ctx, provider);
  if (secret === null) throw new DomainError('not_ready', 'This sign-in provider needs its client secret entered again');
  const issuer = new URL(provider.issuer);
  if (!issuerAllowed(issuer, env)) throw new DomainError('not_ready', 'This sign-in provider is not usable');
  const key = `${provider.id}\0${provider.issuer}\0${provider.clientId}\0${secret}`;
  const now = ctx.clock.now().getTime();
  const cached = discovered.get(key);
  if (cached && now - cached.at < DISCOVERY_TTL_MS) return cached.config;
  const config = oidc.discovery(issuer, provider.clientId, undefined, oidc.ClientSecretPost(secret), {
    timeout: 10,
    ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
  discovered.set(key, { at: now, config });
  // A failed discovery is not kept: the next sign-in tries again.
  config.catch(() => discovered.delete(key));
  return config;
}

/** The provider's authorization URL with state, nonce and PKCE (S256); the flow state to keep. */
export async function startSsoFlow(db: Db, ctx: Ctx, provider: SsoProvider, redirectUri: string, env: string): Promise<{ url: URL; flow: SsoFlowState }> {
  const config = await configurationOf(db, ctx, provider, env);
  const flow: SsoFlowState = { providerId: provider.id, state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    response_type: 'code',
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
  });
  return { url, flow };
}

/**
 * The provider's answer: openid-client checks state, issuer (RFC 9207 `iss` when sent), exchanges
 * the code with the PKCE verifier and validates the ID token (signature, issuer, audience, expiry,
 * nonce). `callbackUrl` is built from the configured public URL, so it matches the redirect URI.
 */
export async function finishSsoFlow(db: Db, ctx: Ctx, provider: SsoProvider, callbackUrl: URL, flow: SsoFlowState, env: string): Promise<SsoClaims> {
  const config = await configurationOf(db, ctx, provider, env);
  const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { expectedState: flow.state, expectedNonce: flow.nonce, pkceCodeVerifier: flow.verifier, idTokenExpected: true });
  const claims = tokens.claims();
  if (!claims) throw new DomainError('invalid_credentials', 'The provider sent no ID token');
  const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');
  return {
    subject: claims.sub,
    email: text(claims['email'], 254) || null,
    emailVerified: claims['email_verified'] === true,
    givenName: text(claims['given_name'], 100),
    familyName: text(claims['family_name'], 100),
  };
}
