import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { anonymousActor } from '../../http/actor.js';
import { clearCustomerSession, customerOf, setCustomerCookie } from '../../http/customer-session.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../../modules/audit/index.js';
import { startCustomerSession } from '../../modules/customers/index.js';
import { findShop, type Shop } from '../../modules/shop/index.js';
import { finishSsoFlow, getSsoProvider, signInWithSso, startSsoFlow, type SsoFlowState, type SsoProvider } from '../../modules/sso/index.js';
import { redirect } from '../page.js';
import { renderShopPage } from './shop-page.js';
import { SHOP_LIMITS } from './shop.routes.js';

/** state, nonce and PKCE verifier between the start and the provider's answer: ten minutes. */
const FLOW_COOKIE = 'tessera_sso_flow';
const FLOW_SECONDS = 600;

/**
 * Sign-in through the organisation's OpenID Connect providers. The redirect URI comes from the
 * configured public URL, never the Host header; the flow state lives in a signed, httpOnly cookie
 * scoped to this provider's path, so a callback reached without the browser that started it (a
 * forged link, login CSRF) is refused.
 */
export async function ssoRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  const BASE = '/shop/:org/:pos/sso/:providerId';

  async function context(request: FastifyRequest): Promise<{ shop: Shop; provider: SsoProvider }> {
    const { org, pos, providerId } = request.params as { org: string; pos: string; providerId: string };
    const shop = await findShop(db, org, pos);
    if (!shop) throw new DomainError('not_found', 'Shop not found');
    const provider = await getSsoProvider(db, shop.orgId, providerId);
    if (!provider.enabled) throw new DomainError('not_found', 'Sign-in provider not found');
    return { shop, provider };
  }

  const flowPath = (shop: Shop, provider: SsoProvider) => `${shop.path}/sso/${provider.id}`;
  const cookieOptions = (shop: Shop, provider: SsoProvider) => ({ path: flowPath(shop, provider), httpOnly: true, sameSite: 'lax' as const, secure: config.publicUrl.protocol === 'https:' });
  const redirectUri = (shop: Shop, provider: SsoProvider) => new URL(`${flowPath(shop, provider)}/callback`, config.publicUrl).toString();

  function failed(reply: FastifyReply, shop: Shop, provider: SsoProvider, text: string, status = 400) {
    return renderShopPage(reply, shop, { title: `Sign in with ${provider.name}`, status }, () => (
      <section class="narrow">
        <h1>Sign in with {provider.name}</h1>
        <p data-testid="sso-answer">{text}</p>
        <p>
          <a class="button" href={`${shop.path}/sign-in`}>
            Back to sign-in
          </a>
        </p>
      </section>
    ));
  }

  app.get(BASE, { config: { rateLimit: SHOP_LIMITS.signInPerIp } }, async (request, reply) => {
    const { shop, provider } = await context(request);
    let started: Awaited<ReturnType<typeof startSsoFlow>>;
    try {
      started = await startSsoFlow(db, app.deps, provider, redirectUri(shop, provider), config.env);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      request.log.warn({ provider: provider.id, error: (error as Error).name }, 'sso discovery failed');
      return failed(reply, shop, provider, `${provider.name} cannot be reached just now. Try again in a moment, or sign in with your password.`, 502);
    }
    const { flow } = started;
    reply.setCookie(FLOW_COOKIE, JSON.stringify([flow.providerId, flow.state, flow.nonce, flow.verifier]), { ...cookieOptions(shop, provider), signed: true, maxAge: FLOW_SECONDS });
    return redirect(reply, started.url.toString());
  });

  function flowOf(request: FastifyRequest, provider: SsoProvider): SsoFlowState | null {
    const raw = request.cookies[FLOW_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : null;
    if (!unsigned?.valid || !unsigned.value) return null;
    try {
      const [providerId, state, nonce, verifier] = JSON.parse(unsigned.value) as string[];
      if (providerId !== provider.id || !state || !nonce || !verifier) return null;
      return { providerId, state, nonce, verifier };
    } catch {
      return null;
    }
  }

  app.get(`${BASE}/callback`, { config: { rateLimit: SHOP_LIMITS.mailPerIp } }, async (request, reply) => {
    const { shop, provider } = await context(request);
    const flow = flowOf(request, provider);
    reply.clearCookie(FLOW_COOKIE, cookieOptions(shop, provider));
    if (!flow) return failed(reply, shop, provider, `This sign-in was not started from this browser, or took too long. Start again with "Sign in with ${provider.name}".`);
    // The URL the provider sent the browser to, rebuilt on the public URL (never the Host header).
    const callbackUrl = new URL(request.url, config.publicUrl);
    let claims: Awaited<ReturnType<typeof finishSsoFlow>>;
    try {
      claims = await finishSsoFlow(db, app.deps, provider, callbackUrl, flow, config.env);
    } catch (error) {
      // Names only: a provider's error body may echo a code.
      request.log.warn({ provider: provider.id, error: (error as Error).name, code: (error as { code?: string }).code }, 'sso sign-in refused');
      return failed(reply, shop, provider, `Sign-in with ${provider.name} did not complete. Try again, or sign in with your password.`);
    }
    const actor = anonymousActor(request);
    const result = await db.transaction().execute(async (trx) => {
      const outcome = await signInWithSso(trx, app.deps, actor, shop, provider, claims);
      if (outcome.kind !== 'ok') return { outcome, started: null };
      const started = await startCustomerSession(trx, app.deps, { orgId: shop.orgId, contactId: outcome.contact.id, posId: shop.pos.id });
      const customer = { type: 'customer' as const, id: outcome.contact.id, label: outcome.contact.email, ip: request.ip };
      await audit(trx, app.deps, customer, { orgId: shop.orgId, action: 'customer.signed_in', target: { type: 'contact', id: outcome.contact.id }, data: { pos: shop.pos.id, via: 'sso', provider: provider.id } });
      return { outcome, started };
    });
    if (result.outcome.kind === 'email_not_verified') {
      return failed(reply, shop, provider, `${provider.name} has not confirmed your email address. Confirm it with ${provider.name} first, or create an account with a password.`, 403);
    }
    if (result.outcome.kind === 'validate_first') {
      return renderShopPage(reply, shop, { title: 'Confirm your email address first', status: 403 }, () => (
        <section class="narrow">
          <h1>Confirm your email address first</h1>
          <p data-testid="sso-validate-first">
            An account with {result.outcome.kind === 'validate_first' ? result.outcome.email : ''} exists here but its address is not confirmed yet. We have sent it a confirmation link: confirm your
            address first, then sign in with {provider.name} again.
          </p>
        </section>
      ));
    }
    if (await customerOf(app, request)) await clearCustomerSession(app, request, reply);
    setCustomerCookie(app, reply, result.started!.token, result.started!.session);
    return redirect(reply, shop.path);
  });
}
