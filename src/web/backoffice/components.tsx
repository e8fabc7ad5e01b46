import type { OrgAccess } from '../../http/staff-session.js';
import type { Role } from '../../modules/organisations/index.js';
import type { NavContext } from '../layout.js';

/** The top navigation for a page inside an organisation. */
export function navOf(access: OrgAccess): NavContext {
  return { orgId: access.org.id, orgName: access.org.name, role: access.role };
}

/**
 * `2026-06-01 08:00:00 UTC`. Organisations have no time zone yet, so the back-office states UTC
 * rather than guessing the server's zone.
 */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A same-page link with the given query parameters; empty values are left out. */
export function hrefWith(path: string, params: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** Keyset pager: "newest" back to the first page, "older" when there is a next page. */
export function Pager({ newestHref, olderHref }: { newestHref: string | null; olderHref: string | null }) {
  if (!newestHref && !olderHref) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {newestHref && <a href={newestHref}>← Newest</a>}
      {olderHref && <a href={olderHref}>Older →</a>}
    </nav>
  );
}

export function RoleSelect({ name, roles, selected }: { name: string; roles: readonly Role[]; selected?: Role }) {
  return (
    <select name={name} required>
      {roles.map((role) => (
        <option value={role} selected={role === selected}>
          {role}
        </option>
      ))}
    </select>
  );
}

/** A one-button POST form (remove, revoke...): state changes never hide behind a GET link. */
export function PostButton({ action, csrf, label, danger }: { action: string; csrf: string; label: string; danger?: boolean }) {
  return (
    <form method="post" action={action} class="inline">
      <input type="hidden" name="_csrf" value={csrf} />
      <button type="submit" class={danger ? 'danger' : 'secondary'}>
        {label}
      </button>
    </form>
  );
}
