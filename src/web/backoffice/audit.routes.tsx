import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ID_REGEX_SOURCE } from '../../lib/ids.js';
import { requireOrg } from '../../http/staff-session.js';
import { listAuditEntries, type AuditEntry } from '../../modules/audit/index.js';
import { findMembers } from '../../modules/organisations/index.js';
import { renderPage } from '../page.js';
import { Pager, formatDateTime, hrefWith, navOf } from './components.js';

const PAGE_SIZE = 50;

// Empty strings are allowed: a filter form submitted with a blank field means "no filter".
const AuditQuerystring = Type.Object(
  {
    before: Type.Optional(Type.String({ maxLength: 26, pattern: `${ID_REGEX_SOURCE}|^$` })),
    action: Type.Optional(Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_.]*$' })),
    target_type: Type.Optional(Type.String({ maxLength: 50, pattern: '^[a-z0-9_]*$' })),
    target_id: Type.Optional(Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_.:-]*$' })),
  },
  { additionalProperties: false },
);

interface Filters {
  action: string;
  target_type: string;
  target_id: string;
}

function Filters({ path, filters }: { path: string; filters: Filters }) {
  return (
    <form method="get" action={path} class="toolbar">
      <label>
        Action starts with
        <input name="action" value={filters.action} maxLength={100} placeholder="staff." />
      </label>
      <label>
        Target type
        <input name="target_type" value={filters.target_type} maxLength={50} placeholder="staff" />
      </label>
      <label>
        Target id
        <input name="target_id" value={filters.target_id} maxLength={100} />
      </label>
      <button type="submit" class="secondary">Filter</button>
      <a href={path}>Clear</a>
    </form>
  );
}

/** Audit data is scrubbed of secrets when written; shown as compact JSON, nothing for `{}`. */
function compactData(data: Record<string, unknown>): string {
  return Object.keys(data).length === 0 ? '' : JSON.stringify(data);
}

function EntryRow({ entry, path, names }: { entry: AuditEntry; path: string; names: Map<string, string> }) {
  const target = entry.target;
  const targetName = target ? names.get(target.id) : undefined;
  return (
    <tr>
      <td>
        <time datetime={entry.createdAt}>{formatDateTime(entry.createdAt)}</time>
      </td>
      <td>
        <span class="badge">{entry.actor.type}</span> {entry.actor.label ?? ''}
      </td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td>
        {target && (
          <a href={hrefWith(path, { target_type: target.type, target_id: target.id })} title="Only this target">
            {target.type}: {targetName ?? target.id}
          </a>
        )}
      </td>
      <td>{entry.ip ?? ''}</td>
      <td>
        <code class="muted">{compactData(entry.data)}</code>
      </td>
    </tr>
  );
}

function AuditTable({ entries, path, names }: { entries: AuditEntry[]; path: string; names: Map<string, string> }) {
  if (entries.length === 0) return <p class="muted">No entries.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Time</th>
          <th>Actor</th>
          <th>Action</th>
          <th>Target</th>
          <th>IP</th>
          <th>Details</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <EntryRow entry={entry} path={path} names={names} />
        ))}
      </tbody>
    </table>
  );
}

/** The organisation's audit log, newest first, for admins and owners. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  app.get('/admin/o/:orgId/audit', { schema: { querystring: AuditQuerystring } }, async (request, reply) => {
    const { orgId } = request.params as { orgId: string };
    const access = await requireOrg(app, request, orgId, 'admin');
    const query = request.query as Partial<Filters> & { before?: string };
    const filters: Filters = { action: (query.action ?? '').toLowerCase(), target_type: query.target_type ?? '', target_id: query.target_id ?? '' };
    const members = await findMembers(app.deps.db, access.org.id);
    // One extra row tells whether an older page exists without a count query.
    const rows = await listAuditEntries(app.deps.db, {
      orgId: access.org.id,
      action: filters.action || undefined,
      targetType: filters.target_type || undefined,
      targetId: filters.target_id || undefined,
      before: query.before || undefined,
      // Members' own sign-ins and password changes are written without an organisation.
      accountsOf: members.map((member) => member.id),
      limit: PAGE_SIZE + 1,
    });
    const entries = rows.slice(0, PAGE_SIZE);
    const path = `/admin/o/${access.org.id}/audit`;
    const last = entries[entries.length - 1];
    const olderHref = rows.length > PAGE_SIZE && last ? hrefWith(path, { ...filters, before: last.id }) : null;
    const newestHref = query.before ? hrefWith(path, { ...filters }) : null;
    // Readable targets for what this page knows; anything else shows its id.
    const names = new Map([[access.org.id, access.org.name], ...members.map((member): [string, string] => [member.id, member.name])]);
    return renderPage(request, reply, { title: 'Audit log', nav: navOf(access) }, () => (
      <section>
        <h1>Audit log</h1>
        <Filters path={path} filters={filters} />
        <AuditTable entries={entries} path={path} names={names} />
        <Pager newestHref={newestHref} olderHref={olderHref} />
      </section>
    ));
  });
}
