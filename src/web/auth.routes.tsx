import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { findOrganisationsOfUser } from '../modules/organisations/index.js';
import { signIn, signOut } from '../modules/staff/index.js';
import { STAFF_COOKIE, clearStaffCookie, requireStaff, sessionPolicy, setStaffCookie } from '../http/staff-session.js';
import { staffActor } from '../http/actor.js';
import { CsrfField } from './layout.js';
import { redirect, renderPage } from './page.js';

const LoginBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    email: Type.String({ maxLength: 320 }),
    password: Type.String({ maxLength: 1024 }),
    next: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

/** Only same-site back-office paths: an open redirect would turn our login into a phishing aid. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(\/[\w\-/?=&%.]*)?$/.test(next) && !next.startsWith('//') ? next : '/admin';
}

function LoginForm({ csrf, next, error }: { csrf: string; next: string; error?: string }) {
  return (
    <section class="narrow">
      <h1>Sign in to the back-office</h1>
      {error && <p class="error-text" role="alert">{error}</p>}
      <form method="post" action="/admin/login">
        <CsrfField csrf={csrf} />
        <input type="hidden" name="next" value={next} />
        <label>
          Email
          <input type="email" name="email" autocomplete="username" required maxLength={320} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required maxLength={1024} />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}

export async function authRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', async (_request, reply) => redirect(reply, '/admin'));

  app.get('/admin/login', async (request, reply) => {
    if (request.staff) return redirect(reply, '/admin');
    const next = safeNext((request.query as Record<string, unknown>)['next']);
    return renderPage(request, reply, { title: 'Sign in' }, (csrf) => <LoginForm csrf={csrf} next={next} />);
  });

  app.post(
    '/admin/login',
    {
      schema: { body: LoginBody },
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const body = request.body as { email: string; password: string; next?: string };
      // Not inside a transaction: the ~100 ms of password hashing must not hold SQLite's single
      // connection. Each write in signIn is one statement and safe on its own.
      const result = await signIn(
        app.deps.db,
        app.deps,
        { email: body.email, password: body.password, ip: request.ip, userAgent: request.headers['user-agent'] ?? null },
        sessionPolicy(app),
      );
      if (!result) {
        // One answer for unknown email, wrong password and locked account.
        return renderPage(request, reply, { title: 'Sign in', status: 401 }, (csrf) => (
          <LoginForm csrf={csrf} next={safeNext(body.next)} error="That email and password do not match an active account." />
        ));
      }
      // A fresh session id at every sign-in (the old cookie, if any, is replaced and deleted).
      const previous = request.cookies[STAFF_COOKIE];
      if (previous) await signOut(app.deps.db, app.deps, previous, { type: 'staff', id: result.user.id, label: result.user.email, ip: request.ip });
      setStaffCookie(app, reply, result.token);
      return redirect(reply, safeNext(body.next));
    },
  );

  app.post('/admin/logout', async (request, reply) => {
    const token = request.cookies[STAFF_COOKIE];
    if (token && request.staff) await signOut(app.deps.db, app.deps, token, staffActor(request));
    clearStaffCookie(reply);
    return redirect(reply, '/admin/login');
  });

  app.get('/admin', async (request, reply) => {
    const staff = requireStaff(request);
    const orgs = await findOrganisationsOfUser(app.deps.db, staff.id);
    if (orgs.length === 1 && orgs[0]) return redirect(reply, `/admin/o/${orgs[0].id}/events`);
    return renderPage(request, reply, { title: 'Organisations' }, () => (
      <section>
        <h1>Your organisations</h1>
        {orgs.length === 0 ? (
          <p>You are not a member of any organisation yet. Ask an owner to add you.</p>
        ) : (
          <ul class="cards">
            {orgs.map((org) => (
              <li>
                <a href={`/admin/o/${org.id}/events`}>{org.name}</a> <span class="muted">{org.role}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    ));
  });
}
