import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { clearStaffCookie, requireOrg, requireStaff, type OrgAccess } from '../../http/staff-session.js';
import { roleAtLeast, updateOrganisation } from '../../modules/organisations/index.js';
import { MIN_PASSWORD_LENGTH, changeOwnPassword } from '../../modules/staff/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';

const Csrf = Type.String({ maxLength: 200 });

const SettingsBody = Type.Object(
  {
    _csrf: Csrf,
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    // A checkbox: present ("on") when ticked, absent when not.
    emailValidationRequired: Type.Optional(Type.Literal('on')),
  },
  { additionalProperties: false },
);

const PasswordBody = Type.Object(
  {
    _csrf: Csrf,
    currentPassword: Type.String({ maxLength: 1024 }),
    newPassword: Type.String({ maxLength: 256 }),
    newPasswordAgain: Type.String({ maxLength: 256 }),
  },
  { additionalProperties: false },
);

function SettingsForm({ access, csrf }: { access: OrgAccess; csrf: string }) {
  // Admins see the settings; only an owner may change them, so the form is inert for others.
  const readOnly = !roleAtLeast(access.role, 'owner');
  return (
    <section>
      <h1>Organisation settings</h1>
      {readOnly && <p class="muted">Only an owner can change these settings.</p>}
      <form method="post" action={`/admin/o/${access.org.id}/settings`} class="card">
        <CsrfField csrf={csrf} />
        <label>
          Name
          <input name="name" value={access.org.name} required maxLength={200} disabled={readOnly} />
        </label>
        <label>
          <input type="checkbox" name="emailValidationRequired" checked={access.org.settings.emailValidationRequired} disabled={readOnly} />
          Email validation required
        </label>
        <p class="muted">
          When on, shop customers must confirm their email address through the link we send before they can use their account.
        </p>
        {!readOnly && <button type="submit">Save settings</button>}
      </form>
    </section>
  );
}

function PasswordForm({ csrf, error }: { csrf: string; error?: string }) {
  return (
    <section class="narrow">
      <h1>Change my password</h1>
      <p class="muted">This signs you out everywhere, including here; then sign in with the new password.</p>
      {error && <p class="error-text" role="alert">{error}</p>}
      <form method="post" action="/admin/account/password">
        <CsrfField csrf={csrf} />
        <label>
          Current password
          <input type="password" name="currentPassword" required maxLength={1024} autocomplete="current-password" />
        </label>
        <label>
          New password (at least {MIN_PASSWORD_LENGTH} characters)
          <input type="password" name="newPassword" required minLength={MIN_PASSWORD_LENGTH} maxLength={256} autocomplete="new-password" />
        </label>
        <label>
          New password again
          <input type="password" name="newPasswordAgain" required minLength={MIN_PASSWORD_LENGTH} maxLength={256} autocomplete="new-password" />
        </label>
        <button type="submit">Change password</button>
      </form>
    </section>
  );
}

function passwordFormError(request: FastifyRequest, reply: FastifyReply, status: number, error: string) {
  return renderPage(request, reply, { title: 'Change my password', status }, (csrf) => <PasswordForm csrf={csrf} error={error} />);
}

/** Organisation settings: admins read them, owners change them. */
export async function settingsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/admin/o/:orgId/settings', async (request, reply) => {
    const { orgId } = request.params as { orgId: string };
    const access = await requireOrg(app, request, orgId, 'admin');
    return renderPage(request, reply, { title: 'Settings', nav: navOf(access) }, (csrf) => <SettingsForm access={access} csrf={csrf} />);
  });

  app.post('/admin/o/:orgId/settings', { schema: { body: SettingsBody } }, async (request, reply) => {
    const { orgId } = request.params as { orgId: string };
    const access = await requireOrg(app, request, orgId, 'owner');
    const body = request.body as { name: string; emailValidationRequired?: 'on' };
    // Spread the current settings so settings this form does not show are kept.
    const settings = { ...access.org.settings, emailValidationRequired: body.emailValidationRequired === 'on' };
    await app.deps.db
      .transaction()
      .execute((trx) => updateOrganisation(trx, app.deps, staffActor(request), access.org.id, { name: body.name.trim(), settings }));
    return redirect(reply, `/admin/o/${access.org.id}/settings?done=saved`);
  });
}

/** The signed-in staff member's own account, outside any organisation. */
export async function accountRoutes(app: FastifyInstance): Promise<void> {
  app.get('/admin/account', async (request, reply) => {
    requireStaff(request);
    return renderPage(request, reply, { title: 'Change my password' }, (csrf) => <PasswordForm csrf={csrf} />);
  });

  app.post(
    '/admin/account/password',
    { schema: { body: PasswordBody }, config: { rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const staff = requireStaff(request);
      const body = request.body as { currentPassword: string; newPassword: string; newPasswordAgain: string };
      if (body.newPassword.length < MIN_PASSWORD_LENGTH) {
        return passwordFormError(request, reply, 400, `The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
      }
      if (body.newPassword !== body.newPasswordAgain) return passwordFormError(request, reply, 400, 'The two new passwords differ.');
      const input = { userId: staff.id, currentPassword: body.currentPassword, newPassword: body.newPassword };
      const changed = await app.deps.db.transaction().execute((trx) => changeOwnPassword(trx, app.deps, staffActor(request), input));
      if (!changed) return passwordFormError(request, reply, 401, 'The current password is not correct.');
      // Every session, this one included, ended with the change.
      clearStaffCookie(reply);
      return redirect(reply, '/admin/login?done=password_changed');
    },
  );
}
