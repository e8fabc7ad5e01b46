import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { listSuppressions, removeSuppression, type Suppression, type SuppressionPage } from '../../modules/emailing/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { formatDateTime, hrefWith, navOf } from './components.js';

const PAGE_SIZE = 50;

const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 254 })),
    after: Type.Optional(Type.String({ maxLength: 2000, pattern: '^[A-Za-z0-9_-]*$' })),
  },
  { additionalProperties: false },
);
const RemoveBody = Type.Object(
  { _csrf: Type.String({ maxLength: 200 }), email: Type.String({ minLength: 1, maxLength: 254 }), scope: Type.Union([Type.Literal('all'), Type.Literal('marketing')]) },
  { additionalProperties: false },
);

const REASONS: Record<Suppression['reason'], string> = { hard_bounce: 'hard bounce', unsubscribed: 'unsubscribed', invalid: 'invalid address' };
const SCOPES: Record<Suppression['scope'], string> = { all: 'all emails', marketing: 'marketing emails only' };

function Row({ s, base, csrf, admin }: { s: Suppression; base: string; csrf: string; admin: boolean }) {
  return (
    <tr>
      <td>{s.email}</td>
      <td>
        <span class="badge">{REASONS[s.reason]}</span>
      </td>
      <td>{SCOPES[s.scope]}</td>
      <td>{s.detail ?? ''}</td>
      <td>{formatDateTime(s.createdAt)}</td>
      {admin && (
        <td>
          <form method="post" action={`${base}/remove`} class="inline">
            <CsrfField csrf={csrf} />
            <input type="hidden" name="email" value={s.email} />
            <input type="hidden" name="scope" value={s.scope} />
            <button type="submit" class="secondary">
              Remove
            </button>
          </form>
        </td>
      )}
    </tr>
  );
}

function SuppressionsPage({ access, page, q, after, csrf }: { access: OrgAccess; page: SuppressionPage; q: string; after: string; csrf: string }) {
  const base = `/admin/o/${access.org.id}/suppressions`;
  const admin = roleAtLeast(access.role, 'admin');
  return (
    <section>
      <h1>Suppressed addresses</h1>
      <p class="muted">
        Tessera sends nothing to an address that hard-bounced (the receiving server said the mailbox does not exist) or was
        reported invalid, and no campaigns (invitations, reminders, update requests, custom emails) to an address that
        unsubscribed; credentials and verification emails still reach those who unsubscribed. Campaign recipients skipped for
        one of these reasons show it in the campaign's recipient list.
        {admin && ' Removing an address lets mail reach it again.'}
      </p>
      <form method="get" action={base} class="toolbar">
        <label>
          Email contains
          <input name="q" value={q} maxLength={254} type="search" />
        </label>
        <button type="submit" class="secondary">
          Search
        </button>
        {q && <a href={base}>Clear</a>}
      </form>
      {page.items.length === 0 ? (
        <p class="muted">{q ? 'No suppressed address matches.' : 'No suppressed addresses.'}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Email</th>
              <th>Reason</th>
              <th>Stops</th>
              <th>Server reply / note</th>
              <th>Since</th>
              {admin && <th></th>}
            </tr>
          </thead>
          <tbody>
            {page.items.map((s) => (
              <Row s={s} base={base} csrf={csrf} admin={admin} />
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {after && <a href={hrefWith(base, { q })}>« First page</a>}
        {page.next && <a href={hrefWith(base, { q, after: page.next })}>Next »</a>}
      </nav>
    </section>
  );
}

/** An organisation's suppression list: who gets no mail and why; admins can lift a suppression. */
export async function suppressionsRoutes(app: FastifyInstance): Promise<void> {
  const orgOf = (request: FastifyRequest) => (request.params as { orgId: string }).orgId;

  app.get('/admin/o/:orgId/suppressions', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'staff');
    const { q = '', after = '' } = request.query as { q?: string; after?: string };
    const page = await listSuppressions(app.deps.db, access.org.id, { q, after: after || undefined, limit: PAGE_SIZE });
    return renderPage(request, reply, { title: 'Suppressed addresses', nav: navOf(access) }, (csrf) => (
      <SuppressionsPage access={access} page={page} q={q} after={after} csrf={csrf} />
    ));
  });

  app.post('/admin/o/:orgId/suppressions/remove', { schema: { body: RemoveBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, orgOf(request), 'admin');
    const { email, scope } = request.body as { email: string; scope: Suppression['scope'] };
    await app.deps.db.transaction().execute((trx) => removeSuppression(trx, app.deps, staffActor(request), access.org.id, email, scope));
    return redirect(reply, `/admin/o/${access.org.id}/suppressions?done=deleted`);
  });
}
