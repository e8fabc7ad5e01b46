import { anonymousActor } from '../../http/actor.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CREDENTIAL_PAGE_HEADERS } from '../../http/attendee-session.js';
import type { Db } from '../../db/database.js';
import { DomainError } from '../../lib/errors.js';
import { claimedPurpose, inspectLink, redeemCredential, type Credential, type LinkState } from '../../modules/credentials/index.js';
import { confirmEmailByLink, prepareNewPassword, resetPassword, type NewPassword } from '../../modules/customers/index.js';
import { shopOf, type Shop } from '../../modules/shop/index.js';
import { renderAttendeePage } from '../attendee/attendee-page.js';
import { CsrfField } from '../layout.js';
import { redirect } from '../page.js';
import { renderShopPage } from './shop-page.js';

type ShopPurpose = 'email_verify' | 'password_reset';
const PURPOSES: readonly ShopPurpose[] = ['email_verify', 'password_reset'];
const MAX_TOKEN = 100;
const ResetBody = Type.Object({ _csrf: Type.String({ maxLength: 200 }), password: Type.Optional(Type.String({ maxLength: 1000 })), repeat: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });

function tokenOf(request: FastifyRequest): { token: string; purpose: ShopPurpose | null } {
  const { token } = request.params as { token?: string };
  if (typeof token !== 'string' || token.length > MAX_TOKEN) return { token: '', purpose: null };
  const purpose = claimedPurpose(token);
  return { token, purpose: purpose && (PURPOSES as readonly string[]).includes(purpose) ? (purpose as ShopPurpose) : null };
}


/**
 * Shop links (account verification, password reset): GET and HEAD show the page and change
 * nothing (mail scanners fetch links); the button or the form POSTs, which uses the one-time
 * credential in the same transaction as what it does, then leaves the token behind with a 303.
 */
export async function verifyRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;

  /** `on`: the open transaction when there is one (on SQLite a read beside it would wait for it forever). */
  async function shopFor(credential: Credential, on: Db = db): Promise<Shop | null> {
    return shopOf(on, credential.orgId, credential.data['pos_id'] ?? '');
  }

  function page(reply: FastifyReply, request: FastifyRequest, shop: Shop | null, title: string, status: number, body: (csrf: string) => preact.ComponentChildren) {
    reply.headers(CREDENTIAL_PAGE_HEADERS);
    return shop ? renderShopPage(reply, shop, { title, status }, body) : renderAttendeePage(request, reply, { title, status }, body);
  }

  async function show(request: FastifyRequest, reply: FastifyReply, token: string, purpose: ShopPurpose | null, state: LinkState, error?: string) {
    if (!purpose || state.state === 'unknown') {
      return page(reply, request, null, 'Link not valid', 404, () => (
        <section class="narrow">
          <h1>This link cannot be used</h1>
          <p>It may be incomplete: try copying the whole link from your email.</p>
        </section>
      ));
    }
    const shop = await shopFor(state.credential);
    if (state.state === 'test') {
      return page(reply, request, shop, 'Test link', 200, () => (
        <section class="narrow">
          <h1>This is a test link</h1>
          <p>It was sent by a "send test" of an email template. It confirms nothing.</p>
        </section>
      ));
    }
    if (state.state !== 'valid') {
      const what = purpose === 'email_verify' ? 'confirmation link' : 'password link';
      return page(reply, request, shop, 'Link no longer valid', 410, () => (
        <section class="narrow">
          <h1 data-testid="dead-link">
            This {what} {state.state === 'expired' ? 'has expired' : state.state === 'used' ? 'has already been used' : 'was replaced'}
          </h1>
          <p>{purpose === 'email_verify' ? 'Sign in to get a new one: the sign-in page offers to send it again.' : 'Ask for a new one on the "Forgot your password?" page.'}</p>
          {shop && (
            <p>
              <a class="button" href={`${shop.path}/${purpose === 'email_verify' ? 'sign-in' : 'forgot'}`}>
                {purpose === 'email_verify' ? 'Sign in' : 'Forgot your password?'}
              </a>
            </p>
          )}
        </section>
      ));
    }
    if (purpose === 'email_verify') {
      return page(reply, request, shop, 'Confirm your email address', 200, (csrf) => (
        <section class="narrow landing">
          <h1>Confirm your email address</h1>
          <p>This confirms the address of your {shop?.pos.heading ?? ''} account.</p>
          <form method="post" action={`/verify/${token}`}>
            <CsrfField csrf={csrf} />
            <button type="submit" data-testid="landing-continue">
              Confirm my email address
            </button>
          </form>
        </section>
      ));
    }
    return page(reply, request, shop, 'Choose a new password', error ? 400 : 200, (csrf) => (
      <section class="narrow">
        <h1>Choose a new password</h1>
        <form method="post" action={`/verify/${token}`} class="card">
          {error && (
            <p class="error-text" role="alert">
              {error}
            </p>
          )}
          <CsrfField csrf={csrf} />
          <label>
            New password (at least 8 characters, not a common one)
            <input type="password" name="password" autocomplete="new-password" required minLength={8} maxLength={200} />
          </label>
          <label>
            New password again
            <input type="password" name="repeat" autocomplete="new-password" required maxLength={200} />
          </label>
          <button type="submit">Save my new password</button>
        </form>
        <p class="muted">You will be signed out everywhere and sign in with the new password.</p>
      </section>
    ));
  }

  app.get('/verify/:token', async (request, reply) => {
    const { token, purpose } = tokenOf(request);
    const state: LinkState = purpose ? await inspectLink(db, app.deps, token, { purposes: [purpose] }, { userAgent: request.headers['user-agent'] ?? null }) : { state: 'unknown' };
    return show(request, reply, token, purpose, state);
  });

  app.post('/verify/:token', { schema: { body: ResetBody }, config: { rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const { token, purpose } = tokenOf(request);
    if (!purpose) return show(request, reply, token, null, { state: 'unknown' });
    const body = request.body as { password?: string; repeat?: string };
    if (purpose === 'password_reset' && (body.password ?? '') !== (body.repeat ?? '')) {
      return show(request, reply, token, purpose, await inspectLink(db, app.deps, token, { purposes: [purpose] }), 'The two passwords are not the same.');
    }
    let refusal: string | undefined;
    let next: NewPassword | null = null;
    if (purpose === 'password_reset') {
      try {
        next = await prepareNewPassword(app.deps, body.password ?? '');
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return show(request, reply, token, purpose, await inspectLink(db, app.deps, token, { purposes: [purpose] }), err.message);
      }
    }
    const shopPath = await db.transaction().execute(async (trx) => {
      let credential: Credential;
      try {
        credential = await redeemCredential(trx, app.deps, anonymousActor(request), token, { purposes: [purpose] });
      } catch (err) {
        if (err instanceof DomainError && err.code === 'link_invalid') return null;
        throw err;
      }
      const shop = await shopFor(credential, trx);
      // A refusal (weak password, address changed since) throws: the transaction rolls back and
      // the link is not spent on nothing.
      if (purpose === 'email_verify') await confirmEmailByLink(trx, app.deps, anonymousActor(request), credential);
      else await resetPassword(trx, app.deps, anonymousActor(request), credential, next!);
      return shop?.path ?? '';
    }).catch((err: unknown) => {
      if (!(err instanceof DomainError) || (err.code !== 'validation_failed' && err.code !== 'link_invalid')) throw err;
      if (err.code === 'validation_failed') refusal = err.message;
      return null;
    });
    if (shopPath === null) {
      const state = await inspectLink(db, app.deps, token, { purposes: [purpose] });
      // The address changed since the link was sent: the link is dead even though never used.
      const dead: LinkState = refusal || state.state !== 'valid' ? state : { state: 'revoked', credential: state.credential };
      return show(request, reply, token, purpose, dead, refusal);
    }
    reply.headers(CREDENTIAL_PAGE_HEADERS);
    if (!shopPath) return redirect(reply, '/');
    return redirect(reply, purpose === 'email_verify' ? `${shopPath}/verified` : `${shopPath}/sign-in?done=password`);
  });
}
