import { anonymousActor } from '../../http/actor.js';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CUSTOMER_COOKIE, clearCustomerSession, customerOf, pendingVerification, rememberPendingVerification, setCustomerCookie } from '../../http/customer-session.js';
import type { Actor } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../../modules/audit/index.js';
import { connectFriend, customerConnections, sendFriendValidation } from '../../modules/contact-admin/index.js';
import { getContact, type Contact } from '../../modules/contacts/index.js';
import {
  changeOwnEmail,
  isRegistered,
  onSale,
  registerCustomer,
  registerGuest,
  requestPasswordReset,
  resendVerification,
  shopEvents,
  signIn,
  signUp,
  startCustomerSession,
} from '../../modules/customers/index.js';
import { getPublicEvent, type Event } from '../../modules/events/index.js';
import { findShop, type Shop } from '../../modules/shop/index.js';
import { formErrorsOf } from '../backoffice/event-ui.js';
import { redirect } from '../page.js';
import { renderShopPage } from './shop-page.js';
import { SsoButtons } from './sso-views.js';
import { listSsoProviders } from '../../modules/sso/index.js';
import { AccountPage, CheckInbox, EventRegistration, ForgotForm, ShopHome, SignInForm, SignUpForm, ValidateFirst, type Errors } from './shop-views.js';

/**
 * Sign-in limits: per account (counted by the address typed, hashed, for known and unknown
 * addresses alike) and per IP. Sign-up and forgot-password send mail, so they are limited too.
 */
export const SHOP_LIMITS = {
  signInPerAccount: { max: 10, timeWindow: 15 * 60_000 },
  signInPerIp: { max: 60, timeWindow: 60_000 },
  mailPerIp: { max: 10, timeWindow: 60_000 },
} as const;

const Csrf = { _csrf: Type.String({ maxLength: 200 }) };
const SignUpBody = Type.Object({ ...Csrf, email: Type.String({ maxLength: 1000 }), password: Type.String({ maxLength: 1000 }), first_name: Type.String({ maxLength: 1000 }), last_name: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
const SignInBody = Type.Object({ ...Csrf, email: Type.String({ maxLength: 1000 }), password: Type.String({ maxLength: 1000 }), next: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
const EmailBody = Type.Object({ ...Csrf, email: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
const ChangeEmailBody = Type.Object({ ...Csrf, email: Type.String({ maxLength: 1000 }), password: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
const GuestBody = Type.Object({ ...Csrf, email: Type.String({ maxLength: 1000 }), first_name: Type.String({ maxLength: 1000 }), last_name: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
const CsrfOnly = Type.Object(Csrf, { additionalProperties: false });
const FriendBody = Type.Object({ ...Csrf, friend_email: Type.String({ maxLength: 1000 }), friend_first_name: Type.String({ maxLength: 1000 }), friend_last_name: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });

const BASE = '/shop/:org/:pos';


function customerActor(request: FastifyRequest, contact: Contact): Actor {
  return { type: 'customer', id: contact.id, label: contact.email, ip: request.ip };
}

function accountKey(request: FastifyRequest): string {
  const email = (request.body as { email?: string } | undefined)?.email;
  return `shop-signin:${createHash('sha256').update(canonicalEmail(email)?.key ?? '').digest('hex').slice(0, 32)}`;
}

/** Only a path inside this shop may follow a sign-in: never another site. */
function safeNext(shop: Shop, next: string | undefined): string {
  return next && next.startsWith(`${shop.path}/`) && !next.includes('//', 1) ? next : shop.path;
}

export async function shopRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const perAccount = app.createRateLimit({ ...SHOP_LIMITS.signInPerAccount, keyGenerator: accountKey });

  async function shopOr404(request: FastifyRequest): Promise<Shop> {
    const { org, pos } = request.params as { org: string; pos: string };
    const shop = await findShop(db, org, pos);
    if (!shop) throw new DomainError('not_found', 'Shop not found');
    return shop;
  }

  /** The signed-in customer of this shop's organisation, or null. */
  async function customerIn(request: FastifyRequest, shop: Shop): Promise<Contact | null> {
    const session = await customerOf(app, request);
    if (!session || session.orgId !== shop.orgId) return null;
    return getContact(db, shop.orgId, session.contactId).catch(() => null);
  }

  async function eventOf(request: FastifyRequest, shop: Shop): Promise<Event> {
    const { eventId } = request.params as { eventId: string };
    const event = await getPublicEvent(db, eventId);
    if (!onSale(event, shop, app.deps.clock.now())) throw new DomainError('not_found', 'Event not found');
    return event;
  }

  app.get(`${BASE}/theme.css`, async (request, reply) => {
    const shop = await shopOr404(request);
    // The accent is checked as #rrggbb when saved: nothing else can reach this stylesheet.
    return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(`:root{--accent:${shop.pos.accent};}\n`);
  });

  app.get(BASE, async (request, reply) => {
    const shop = await shopOr404(request);
    const customer = await customerIn(request, shop);
    const events = await shopEvents(db, app.deps, shop);
    const flash = (request.query as Record<string, unknown>)['done'] === 'registered' ? 'You are registered.' : null;
    return renderShopPage(reply, shop, { title: 'Events', customer, flash }, () => <ShopHome shop={shop} events={events} customer={customer} />);
  });

  // Sign-up -------------------------------------------------------------------------------------
  app.get(`${BASE}/sign-up`, async (request, reply) => {
    const shop = await shopOr404(request);
    const sso = <SsoButtons shop={shop} providers={await listSsoProviders(db, shop.orgId, 'enabled')} />;
    return renderShopPage(reply, shop, { title: 'Create an account' }, (csrf) => <SignUpForm shop={shop} csrf={csrf} values={{}} errors={{}} sso={sso} />);
  });

  app.post(`${BASE}/sign-up`, { schema: { body: SignUpBody }, config: { rateLimit: SHOP_LIMITS.mailPerIp } }, async (request, reply) => {
    const shop = await shopOr404(request);
    const body = request.body as { email: string; password: string; first_name: string; last_name: string };
    try {
      await signUp(db, app.deps, anonymousActor(request), shop, { email: body.email, password: body.password, firstName: body.first_name, lastName: body.last_name });
    } catch (error) {
      const errors = formErrorsOf(error, { '/email': 'email', '/password': 'password' }, '_form') as Errors | null;
      if (!errors) throw error;
      const values = { email: body.email.slice(0, 254), first_name: body.first_name.slice(0, 100), last_name: body.last_name.slice(0, 100) };
      return renderShopPage(reply, shop, { title: 'Create an account', status: 400 }, (csrf) => <SignUpForm shop={shop} csrf={csrf} values={values} errors={errors} />);
    }
    return renderShopPage(reply, shop, { title: 'Check your inbox' }, () => (
      <CheckInbox text={`We have sent an email to ${canonicalEmail(body.email)?.email ?? body.email.slice(0, 254)}. Follow it to finish: it confirms the address, or tells you what to do if you already have an account.`} />
    ));
  });

  // Sign-in -------------------------------------------------------------------------------------
  app.get(`${BASE}/sign-in`, async (request, reply) => {
    const shop = await shopOr404(request);
    if (await customerIn(request, shop)) return redirect(reply, shop.path);
    const next = (request.query as Record<string, unknown>)['next'];
    const flash = (request.query as Record<string, unknown>)['done'] === 'password' ? 'Your password is changed. Sign in with it.' : null;
    const sso = <SsoButtons shop={shop} providers={await listSsoProviders(db, shop.orgId, 'enabled')} />;
    return renderShopPage(reply, shop, { title: 'Sign in', flash }, (csrf) => <SignInForm shop={shop} csrf={csrf} email="" next={typeof next === 'string' ? safeNext(shop, next) : undefined} sso={sso} />);
  });

  app.post(`${BASE}/sign-in`, { schema: { body: SignInBody }, config: { rateLimit: SHOP_LIMITS.signInPerIp } }, async (request, reply) => {
    const shop = await shopOr404(request);
    const body = request.body as { email: string; password: string; next?: string };
    const typed = body.email.trim().slice(0, 254);
    const failed = (message: string, status: number) =>
      renderShopPage(reply, shop, { title: 'Sign in', status }, (csrf) => <SignInForm shop={shop} csrf={csrf} email={typed} error={message} next={body.next} />);
    const limit = await perAccount(request);
    if (!limit.isAllowed && limit.isExceeded) {
      reply.header('retry-after', String(limit.ttlInSeconds));
      return failed('Too many attempts for this address. Wait a few minutes, or choose a new password with "Forgot your password?".', 429);
    }
    const result = await signIn(db, app.deps, shop, typed, body.password);
    if (result.kind === 'failed') return failed('That email address and password do not match.', 401);
    if (result.kind === 'unverified') {
      rememberPendingVerification(app, reply, result.contact.id);
      return renderShopPage(reply, shop, { title: 'Confirm your email address', status: 403 }, (csrf) => <ValidateFirst shop={shop} csrf={csrf} email={result.contact.email} sent={false} />);
    }
    const previous = await customerOf(app, request);
    if (previous) await clearCustomerSession(app, request, reply);
    const { token, session } = await db.transaction().execute(async (trx) => {
      const started = await startCustomerSession(trx, app.deps, { orgId: shop.orgId, contactId: result.contact.id, posId: shop.pos.id });
      await audit(trx, app.deps, customerActor(request, result.contact), { orgId: shop.orgId, action: 'customer.signed_in', target: { type: 'contact', id: result.contact.id }, data: { pos: shop.pos.id } });
      return started;
    });
    setCustomerCookie(app, reply, token, session);
    return redirect(reply, safeNext(shop, body.next));
  });

  app.post(`${BASE}/resend-verification`, { schema: { body: CsrfOnly }, config: { rateLimit: SHOP_LIMITS.mailPerIp } }, async (request, reply) => {
    const shop = await shopOr404(request);
    const contactId = pendingVerification(request);
    const contact = contactId ? await getContact(db, shop.orgId, contactId).catch(() => null) : null;
    if (!contact) return redirect(reply, `${shop.path}/sign-in`);
    await db.transaction().execute((trx) => resendVerification(trx, app.deps, shop, contact));
    return renderShopPage(reply, shop, { title: 'Confirm your email address' }, (csrf) => <ValidateFirst shop={shop} csrf={csrf} email={contact.email} sent />);
  });

  app.post(`${BASE}/sign-out`, { schema: { body: CsrfOnly } }, async (request, reply) => {
    const shop = await shopOr404(request);
    await clearCustomerSession(app, request, reply);
    return redirect(reply, shop.path);
  });

  // Forgot password -----------------------------------------------------------------------------
  app.get(`${BASE}/forgot`, async (request, reply) => {
    const shop = await shopOr404(request);
    return renderShopPage(reply, shop, { title: 'Forgot your password?' }, (csrf) => <ForgotForm shop={shop} csrf={csrf} />);
  });

  app.post(`${BASE}/forgot`, { schema: { body: EmailBody }, config: { rateLimit: SHOP_LIMITS.mailPerIp } }, async (request, reply) => {
    const shop = await shopOr404(request);
    const { email } = request.body as { email: string };
    await db.transaction().execute((trx) => requestPasswordReset(trx, app.deps, shop, email));
    return renderShopPage(reply, shop, { title: 'Check your inbox' }, () => (
      <CheckInbox text={`If ${email.trim().slice(0, 254)} has an account here, a link to choose a new password is on its way. It works once, within an hour.`} />
    ));
  });

  app.get(`${BASE}/verified`, async (request, reply) => {
    const shop = await shopOr404(request);
    return renderShopPage(reply, shop, { title: 'Email address confirmed' }, () => (
      <section class="narrow">
        <h1>Your email address is confirmed</h1>
        <p data-testid="verified">Thank you: your account is ready.</p>
        <p>
          <a class="button" href={`${shop.path}/sign-in`}>
            Sign in
          </a>
        </p>
      </section>
    ));
  });

  // Account -------------------------------------------------------------------------------------
  async function showAccount(request: FastifyRequest, reply: FastifyReply, shop: Shop, customer: Contact, errors: Errors = {}, values: Record<string, string> = {}, status = 200) {
    const friends = await customerConnections(db, shop, customer);
    const flash = (request.query as Record<string, unknown>)['done'] === 'validation_sent' ? 'Validation email sent.' : null;
    return renderShopPage(reply, shop, { title: 'My account', customer, status, flash }, (csrf) => (
      <AccountPage shop={shop} csrf={csrf} customer={customer} errors={errors} values={values} friends={friends} />
    ));
  }

  app.post(`${BASE}/account/friends`, { schema: { body: FriendBody }, config: { rateLimit: SHOP_LIMITS.mailPerIp } }, async (request, reply) => {
    const shop = await shopOr404(request);
    const customer = await requireCustomer(request, reply, shop);
    if (!customer) return reply;
    const body = request.body as { friend_email: string; friend_first_name: string; friend_last_name: string };
    try {
      await db.transaction().execute((trx) => connectFriend(trx, app.deps, customerActor(request, customer), shop, customer, { email: body.friend_email, firstName: body.friend_first_name, lastName: body.friend_last_name }));
    } catch (error) {
      const errors = formErrorsOf(error, { '/email': 'friend_email', '/connectedId': 'friend_email' }, 'friend_email') as Errors | null;
      if (!errors) throw error;
      return showAccount(request, reply, shop, customer, errors, {}, 400);
    }
    return redirect(reply, `${shop.path}/account`);
  });

  app.post(`${BASE}/account/friends/:friendId/validation`, { schema: { body: CsrfOnly }, config: { rateLimit: SHOP_LIMITS.mailPerIp } }, async (request, reply) => {
    const shop = await shopOr404(request);
    const customer = await requireCustomer(request, reply, shop);
    if (!customer) return reply;
    const { friendId } = request.params as { friendId: string };
    await db.transaction().execute((trx) => sendFriendValidation(trx, app.deps, shop, customer, friendId));
    return redirect(reply, `${shop.path}/account?done=validation_sent`);
  });

  /**
   * Pages for signed-in customers. A cookie whose session has ended (an email change signed the
   * account out everywhere) gets 401 and a page saying so; no cookie at all, the sign-in page.
   */
  async function requireCustomer(request: FastifyRequest, reply: FastifyReply, shop: Shop): Promise<Contact | null> {
    const customer = await customerIn(request, shop);
    if (customer) return customer;
    if (request.cookies[CUSTOMER_COOKIE]) {
      await clearCustomerSession(app, request, reply);
      renderShopPage(reply, shop, { title: 'Signed out', status: 401 }, () => (
        <section class="narrow">
          <h1>You are signed out</h1>
          <p data-testid="signed-out">Your session has ended. Sign in again to continue.</p>
          <p>
            <a class="button" href={`${shop.path}/sign-in`}>
              Sign in
            </a>
          </p>
        </section>
      ));
      return null;
    }
    redirect(reply, `${shop.path}/sign-in`);
    return null;
  }

  app.get(`${BASE}/account`, async (request, reply) => {
    const shop = await shopOr404(request);
    const customer = await requireCustomer(request, reply, shop);
    if (!customer) return reply;
    return showAccount(request, reply, shop, customer);
  });

  app.post(`${BASE}/account/email`, { schema: { body: ChangeEmailBody }, config: { rateLimit: SHOP_LIMITS.mailPerIp } }, async (request, reply) => {
    const shop = await shopOr404(request);
    const customer = await requireCustomer(request, reply, shop);
    if (!customer) return reply;
    const body = request.body as { email: string; password: string };
    try {
      await changeOwnEmail(db, app.deps, customerActor(request, customer), shop, customer.id, body);
    } catch (error) {
      const errors = formErrorsOf(error, { '/email': 'email', '/password': 'password' }, 'email') as Errors | null;
      if (!errors) throw error;
      return showAccount(request, reply, shop, customer, errors, { email: body.email.slice(0, 254) }, 400);
    }
    await clearCustomerSession(app, request, reply);
    return renderShopPage(reply, shop, { title: 'Check your inbox' }, () => (
      <CheckInbox text={`Your address is now ${canonicalEmail(body.email)?.email ?? ''}. Confirm it with the link we sent there, then sign in again: you are signed out everywhere.`} />
    ));
  });

  // Events --------------------------------------------------------------------------------------
  app.get(`${BASE}/events/:eventId`, async (request, reply) => {
    const shop = await shopOr404(request);
    const event = await eventOf(request, shop);
    const customer = await customerIn(request, shop);
    const registered = customer ? await isRegistered(db, customer, event) : false;
    return renderShopPage(reply, shop, { title: event.name, customer }, (csrf) => (
      <EventRegistration shop={shop} csrf={csrf} event={event} customer={customer} registered={registered} errors={{}} values={{}} />
    ));
  });

  app.post(`${BASE}/events/:eventId/register`, { schema: { body: CsrfOnly } }, async (request, reply) => {
    const shop = await shopOr404(request);
    const event = await eventOf(request, shop);
    const customer = await customerIn(request, shop);
    if (!customer) return redirect(reply, `${shop.path}/sign-in?next=${encodeURIComponent(`${shop.path}/events/${event.id}`)}`);
    const outcome = await db.transaction().execute((trx) => registerCustomer(trx, app.deps, customerActor(request, customer), customer, event));
    if (outcome === 'cancelled') throw new DomainError('forbidden', `Your participation in ${event.name} was cancelled: contact the organiser.`);
    return redirect(reply, `${shop.path}/events/${event.id}`);
  });

  app.post(`${BASE}/events/:eventId/guest`, { schema: { body: GuestBody }, config: { rateLimit: SHOP_LIMITS.mailPerIp } }, async (request, reply) => {
    const shop = await shopOr404(request);
    const event = await eventOf(request, shop);
    const body = request.body as { email: string; first_name: string; last_name: string };
    try {
      await db.transaction().execute((trx) => registerGuest(trx, app.deps, anonymousActor(request), event, { email: body.email, firstName: body.first_name, lastName: body.last_name }));
    } catch (error) {
      const errors = formErrorsOf(error, { '/email': 'email', '/firstName': 'first_name', '/lastName': 'last_name' }, '_form') as Errors | null;
      if (!errors) throw error;
      const values = { email: body.email.slice(0, 254), first_name: body.first_name.slice(0, 100), last_name: body.last_name.slice(0, 100) };
      return renderShopPage(reply, shop, { title: event.name, status: 400 }, (csrf) => (
        <EventRegistration shop={shop} csrf={csrf} event={event} customer={null} registered={false} errors={errors} values={values} />
      ));
    }
    // The same answer for a new address and a known one (the known one gets its link by email).
    return renderShopPage(reply, shop, { title: 'Registered' }, () => (
      <CheckInbox text={`Thank you. A confirmation for ${event.name} is on its way to ${body.email.trim().slice(0, 254)}.`} />
    ));
  });
}
