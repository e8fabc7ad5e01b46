import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { createSsoProvider, getSsoProvider, listSsoProviders, updateSsoProvider, type SsoProvider, type SsoProviderInput } from '../../modules/sso/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { FieldError, formErrorsOf, invalid, type FormErrors } from './event-ui.js';

const ProviderBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    name: Type.String({ maxLength: 1000 }),
    issuer: Type.String({ maxLength: 2000 }),
    client_id: Type.String({ maxLength: 1000 }),
    client_secret: Type.String({ maxLength: 4000 }),
    enabled: Type.Optional(Type.Literal('1')),
  },
  { additionalProperties: false },
);
type ProviderValues = { name: string; issuer: string; client_id: string; client_secret: string; enabled?: '1' };
const PATHS = { '/name': 'name', '/issuer': 'issuer', '/clientId': 'client_id', '/clientSecret': 'client_secret' };

function ProviderForm({ action, csrf, values, errors, editing }: { action: string; csrf: string; values: Partial<ProviderValues>; errors: FormErrors; editing: boolean }) {
  return (
    <form method="post" action={action} class="card">
      {errors['_form'] && <p class="error-text">{errors['_form']}</p>}
      <CsrfField csrf={csrf} />
      <div class="grid2">
        <label>
          {'Name (the shop shows "Sign in with <name>")'}
          <input name="name" required maxLength={100} value={values.name ?? ''} aria-invalid={invalid(errors, 'name')} />
          <FieldError errors={errors} name="name" />
        </label>
        <label>
          Issuer URL
          <input name="issuer" required maxLength={500} value={values.issuer ?? ''} placeholder="https://login.example.com/realms/shop" aria-invalid={invalid(errors, 'issuer')} />
          <FieldError errors={errors} name="issuer" />
        </label>
        <label>
          Client id
          <input name="client_id" required maxLength={500} value={values.client_id ?? ''} aria-invalid={invalid(errors, 'client_id')} />
          <FieldError errors={errors} name="client_id" />
        </label>
        <label>
          {editing ? 'Client secret (set; leave empty to keep it)' : 'Client secret'}
          <input name="client_secret" type="password" autocomplete="off" maxLength={2000} required={!editing} value="" aria-invalid={invalid(errors, 'client_secret')} />
          <FieldError errors={errors} name="client_secret" />
        </label>
      </div>
      <label>
        <input type="checkbox" name="enabled" value="1" checked={values.enabled === '1'} /> Enabled (shown on the shops' sign-in and sign-up pages)
      </label>
      <button type="submit">{editing ? 'Save' : 'Add provider'}</button>
    </form>
  );
}

/** OpenID Connect sign-in providers of an organisation's shops, for admins. The client secret is never shown again. */
export async function ssoProvidersRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  const orgOf = (request: FastifyRequest) => (request.params as { orgId: string }).orgId;
  const base = (access: OrgAccess) => `/admin/o/${access.org.id}/shops/sso`;
  const inputOf = (body: ProviderValues): SsoProviderInput => ({ name: body.name, issuer: body.issuer, clientId: body.client_id, clientSecret: body.client_secret, enabled: body.enabled === '1' });

  async function show(request: FastifyRequest, reply: FastifyReply, access: OrgAccess, values: Partial<ProviderValues> = { enabled: '1' }, errors: FormErrors = {}, status = 200) {
    const providers = await listSsoProviders(db, access.org.id);
    const callback = new URL(`/shop/${access.org.slug}/<point of sale>/sso/<provider id>/callback`, config.publicUrl).toString();
    return renderPage(request, reply, { title: 'Sign-in providers', nav: navOf(access), status }, (csrf) => (
      <section>
        <p>
          <a href={`/admin/o/${access.org.id}/shops`}>← Sales channels and shops</a>
        </p>
        <h1>Sign-in providers (OpenID Connect)</h1>
        <p class="muted">
          Customers sign in to the shops with an account they have elsewhere. Register Tessera at the provider as a confidential client with the redirect URI {callback} for each shop. An
          address the provider confirms (email_verified) counts as validated.
        </p>
        {providers.length === 0 ? (
          <p class="muted">No provider yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Issuer</th>
                <th>Client id</th>
                <th>Secret</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {providers.map((p: SsoProvider) => (
                <tr>
                  <td>
                    <a href={`${base(access)}/${p.id}`}>{p.name}</a>
                  </td>
                  <td>{p.issuer}</td>
                  <td>{p.clientId}</td>
                  <td>set</td>
                  <td>
                    <span class="badge">{p.enabled ? 'enabled' : 'disabled'}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>New provider</h2>
        <ProviderForm action={base(access)} csrf={csrf} values={values} errors={errors} editing={false} />
      </section>
    ));
  }

  app.get('/admin/o/:orgId/shops/sso', async (request, reply) => show(request, reply, await requireOrg(app, request, orgOf(request), 'admin')));

  app.post('/admin/o/:orgId/shops/sso', { schema: { body: ProviderBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const body = request.body as ProviderValues;
    try {
      await db.transaction().execute((trx) => createSsoProvider(trx, app.deps, staffActor(request), access.org.id, inputOf(body), config.env));
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, '_form');
      if (!errors) throw error;
      return show(request, reply, access, { ...body, client_secret: '' }, errors, 400);
    }
    return redirect(reply, `${base(access)}?done=created`);
  });

  async function showOne(request: FastifyRequest, reply: FastifyReply, access: OrgAccess, provider: SsoProvider, values: Partial<ProviderValues>, errors: FormErrors = {}, status = 200) {
    return renderPage(request, reply, { title: provider.name, nav: navOf(access), status }, (csrf) => (
      <section>
        <p>
          <a href={base(access)}>← Sign-in providers</a>
        </p>
        <h1>{provider.name}</h1>
        <ProviderForm action={`${base(access)}/${provider.id}`} csrf={csrf} values={values} errors={errors} editing />
      </section>
    ));
  }

  app.get('/admin/o/:orgId/shops/sso/:providerId', async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const p = await getSsoProvider(db, access.org.id, (request.params as { providerId: string }).providerId);
    return showOne(request, reply, access, p, { name: p.name, issuer: p.issuer, client_id: p.clientId, ...(p.enabled ? { enabled: '1' as const } : {}) });
  });

  app.post('/admin/o/:orgId/shops/sso/:providerId', { schema: { body: ProviderBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const provider = await getSsoProvider(db, access.org.id, (request.params as { providerId: string }).providerId);
    const body = request.body as ProviderValues;
    try {
      await db.transaction().execute((trx) => updateSsoProvider(trx, app.deps, staffActor(request), access.org.id, provider.id, inputOf(body), config.env));
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, '_form');
      if (!errors) throw error;
      return showOne(request, reply, access, provider, { ...body, client_secret: '' }, errors, 400);
    }
    return redirect(reply, `${base(access)}?done=saved`);
  });
}
