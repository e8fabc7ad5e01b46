import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { MAX_KEY_NAME_LENGTH, createApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../../modules/api-keys/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { PostButton, formatDateTime, navOf } from './components.js';

const Csrf = Type.String({ maxLength: 200 });
const CreateBody = Type.Object(
  { _csrf: Csrf, name: Type.String({ minLength: 1, maxLength: MAX_KEY_NAME_LENGTH, pattern: '\\S' }) },
  { additionalProperties: false },
);
const RevokeBody = Type.Object({ _csrf: Csrf }, { additionalProperties: false });

function KeyRow({ apiKey, base, csrf }: { apiKey: ApiKey; base: string; csrf: string }) {
  return (
    <tr>
      <td>{apiKey.name}</td>
      <td>
        <code>{apiKey.displayPrefix}…</code>
      </td>
      <td>{formatDateTime(apiKey.createdAt)}</td>
      <td>{apiKey.lastUsedAt ? formatDateTime(apiKey.lastUsedAt) : <span class="muted">never</span>}</td>
      <td>
        {apiKey.revokedAt ? (
          <span class="badge">revoked {formatDateTime(apiKey.revokedAt)}</span>
        ) : (
          <PostButton action={`${base}/${apiKey.id}/revoke`} csrf={csrf} label="Revoke" danger />
        )}
      </td>
    </tr>
  );
}

/** The new key, once: it is not stored, so this page cannot be shown again. */
function NewKey({ apiKey, secret }: { apiKey: ApiKey; secret: string }) {
  return (
    <section class="card" role="status">
      <h2>New key “{apiKey.name}”</h2>
      <p>
        <strong>Copy it now: it is shown only this once.</strong> Tessera stores only a hash of it. If you lose it, revoke it and
        create another.
      </p>
      <label>
        API key
        <input readOnly value={secret} id="new-api-key" autocomplete="off" spellcheck={false} />
      </label>
      <p class="muted">
        Send it as <code>Authorization: Bearer {apiKey.displayPrefix}…</code> with every request.
      </p>
    </section>
  );
}

function ApiKeysPage({ access, keys, csrf, created }: { access: OrgAccess; keys: ApiKey[]; csrf: string; created?: { apiKey: ApiKey; secret: string } }) {
  const base = `/admin/o/${access.org.id}/api-keys`;
  return (
    <section>
      <h1>API keys</h1>
      <p class="muted">
        A key lets a program use the <a href="/api/docs">REST API</a> for this organisation: read and change its events, custom
        fields and participants. Everything it does is in the audit log under the key's name.
      </p>
      {created && <NewKey apiKey={created.apiKey} secret={created.secret} />}
      {keys.length === 0 ? (
        <p class="muted">No keys yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Key starts with</th>
              <th>Created</th>
              <th>Last used</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {keys.map((apiKey) => (
              <KeyRow apiKey={apiKey} base={base} csrf={csrf} />
            ))}
          </tbody>
        </table>
      )}
      <section class="card">
        <h2>Create a key</h2>
        <form method="post" action={base} class="toolbar">
          <CsrfField csrf={csrf} />
          <label>
            Name (what uses it, e.g. “CRM sync”)
            <input name="name" required maxLength={MAX_KEY_NAME_LENGTH} />
          </label>
          <button type="submit">Create key</button>
        </form>
      </section>
    </section>
  );
}

async function showPage(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, access: OrgAccess, created?: { apiKey: ApiKey; secret: string }) {
  const keys = await listApiKeys(app.deps.db, access.org.id);
  return renderPage(request, reply, { title: 'API keys', nav: navOf(access), status: created ? 201 : 200 }, (csrf) => (
    <ApiKeysPage access={access} keys={keys} csrf={csrf} {...(created ? { created } : {})} />
  ));
}

/** API keys of an organisation, for admins and owners: create (shown once), list, revoke. */
export async function apiKeyRoutes(app: FastifyInstance): Promise<void> {
  const orgOf = (request: FastifyRequest) => (request.params as { orgId: string }).orgId;

  app.get('/admin/o/:orgId/api-keys', async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    return showPage(app, request, reply, access);
  });

  // The key is rendered in this response (no-store), never put in a redirect URL or a cookie.
  app.post('/admin/o/:orgId/api-keys', { schema: { body: CreateBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const { name } = request.body as { name: string };
    const created = await app.deps.db.transaction().execute((trx) => createApiKey(trx, app.deps, staffActor(request), access.org.id, { name }));
    return showPage(app, request, reply, access, created);
  });

  app.post('/admin/o/:orgId/api-keys/:keyId/revoke', { schema: { body: RevokeBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const { keyId } = request.params as { keyId: string };
    await app.deps.db.transaction().execute((trx) => revokeApiKey(trx, app.deps, staffActor(request), access.org.id, keyId));
    return redirect(reply, `/admin/o/${access.org.id}/api-keys?done=revoked`);
  });
}
