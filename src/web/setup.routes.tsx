import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { completeSetup, setupTokenUsable } from '../modules/setup/index.js';
import { signIn } from '../modules/staff/index.js';
import { sessionPolicy, setStaffCookie } from '../http/staff-session.js';
import { CsrfField } from './layout.js';
import { redirect, renderPage } from './page.js';

const SetupBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    organisationName: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

function DeadLink() {
  return (
    <section class="narrow">
      <h1>This setup link cannot be used</h1>
      <p>It has been used already or it has expired. Restart Tessera to print a new one, or run <code>tessera create-admin</code>.</p>
    </section>
  );
}

/**
 * First-run setup. GET only shows the form (a mail scanner or preview fetching the link changes
 * nothing); the POST consumes the one-time token and creates the organisation and its owner.
 */
export async function setupRoutes(app: FastifyInstance): Promise<void> {
  const noStore = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

  app.get('/setup/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    reply.headers(noStore);
    if (!(await setupTokenUsable(app.deps.db, app.deps, token))) {
      return renderPage(request, reply, { title: 'Setup', status: 410 }, () => <DeadLink />);
    }
    return renderPage(request, reply, { title: 'Set up Tessera' }, (csrf) => (
      <section class="narrow">
        <h1>Set up Tessera</h1>
        <p>Create your organisation and its owner account. This link works once.</p>
        <form method="post" action={`/setup/${token}`}>
          <CsrfField csrf={csrf} />
          <label>
            Organisation name
            <input name="organisationName" required maxLength={200} />
          </label>
          <label>
            Your name
            <input name="name" required maxLength={200} autocomplete="name" />
          </label>
          <label>
            Your email
            <input type="email" name="email" required maxLength={320} autocomplete="username" />
          </label>
          <label>
            Password (at least 10 characters)
            <input type="password" name="password" required minLength={10} maxLength={256} autocomplete="new-password" />
          </label>
          <button type="submit">Create organisation</button>
        </form>
      </section>
    ));
  });

  app.post('/setup/:token', { schema: { body: SetupBody }, config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const body = request.body as { organisationName: string; name: string; email: string; password: string };
    reply.headers(noStore);
    const { organisation } = await completeSetup(app.deps.db, app.deps, token, body, request.ip);
    const session = await signIn(app.deps.db, app.deps, { email: body.email, password: body.password, ip: request.ip, userAgent: request.headers['user-agent'] ?? null }, sessionPolicy(app));
    if (session) setStaffCookie(app, reply, session.token);
    return redirect(reply, `/admin/o/${organisation.id}/events`);
  });
}
