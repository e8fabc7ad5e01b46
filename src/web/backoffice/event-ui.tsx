import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../lib/errors.js';
import type { OrgAccess } from '../../http/staff-session.js';
import type { Event } from '../../modules/events/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';

/** Form field name -> message shown next to that field. */
export type FormErrors = Record<string, string>;

// Refusals because the value is already taken, and the field that holds it.
const CLASH_FIELDS: Partial<Record<string, string>> = { duplicate_email: 'email', duplicate_slug: 'slug', duplicate_field_key: 'key' };

/**
 * The per-field messages of a refusal a form can show next to its inputs, or null when the error
 * is not about the input (not found, forbidden...) and must go to the error handler instead.
 * `paths` maps the domain's detail paths (`/startsAt`) to form field names (`starts_at`).
 */
export function formErrorsOf(error: unknown, paths: Record<string, string> = {}, fallbackField = '_form'): FormErrors | null {
  if (!(error instanceof DomainError)) return null;
  if (error.code !== 'validation_failed' && !(error.code in CLASH_FIELDS)) return null;
  const errors: FormErrors = {};
  const clashField = CLASH_FIELDS[error.code];
  if (clashField) return { [clashField]: error.message };
  const details = Array.isArray(error.details) ? (error.details as Array<{ path?: unknown; message?: unknown }>) : [];
  for (const detail of details) {
    const path = typeof detail.path === 'string' ? detail.path.replace(/^\//, '') : '';
    const field = paths[path] ?? (path || fallbackField);
    // The first problem of a field is the one to fix first; later ones usually follow from it.
    errors[field] ??= typeof detail.message === 'string' ? detail.message : error.message;
  }
  if (Object.keys(errors).length === 0) errors[fallbackField] = error.message;
  return errors;
}

/** 409 for a clash with existing data (duplicate email, slug, key), 400 for bad input. */
export function refusalStatus(error: unknown): number {
  return error instanceof DomainError && error.code !== 'validation_failed' ? 409 : 400;
}

/** For aria-invalid: lets assistive technology (and the stylesheet) point at the field to fix. */
export function invalid(errors: FormErrors, name: string): 'true' | undefined {
  return errors[name] ? 'true' : undefined;
}

export function FieldError({ errors, name }: { errors: FormErrors; name: string }) {
  const message = errors[name];
  return message ? (
    <span class="field-error" id={`err-${name}`}>
      {message}
    </span>
  ) : null;
}

/** The "Status" select of the event and participant forms. */
export function StatusSelect({ statuses, value, errors }: { statuses: readonly string[]; value: string; errors: FormErrors }) {
  return (
    <label>
      Status
      <select name="status">
        {statuses.map((status) => (
          <option value={status} selected={status === value}>
            {status}
          </option>
        ))}
      </select>
      <FieldError errors={errors} name="status" />
    </label>
  );
}

/** A summary above the form, so a problem in a long form is not missed. */
export function ErrorSummary({ errors }: { errors: FormErrors }) {
  const messages = Object.values(errors);
  if (messages.length === 0) return null;
  return (
    <div class="error-text" role="alert">
      <p>{messages.length === 1 ? 'Please correct this:' : `Please correct these ${messages.length} problems:`}</p>
      <ul>
        {messages.map((message) => (
          <li>{message}</li>
        ))}
      </ul>
    </div>
  );
}

export function eventPath(orgId: string, eventId: string): string {
  return `/admin/o/${orgId}/events/${eventId}`;
}

export function paramsOf(request: FastifyRequest): Record<string, string> {
  return request.params as Record<string, string>;
}

// "Edit" alone would be ambiguous on pages that also edit a participant.
const TAB_TITLES: Record<string, string> = { edit: 'Event settings' };

/** Breadcrumb and the event's sections; links a role cannot open are not offered. */
export function EventHeader({ access, event, current }: { access: OrgAccess; event: Event; current?: string }) {
  const base = eventPath(access.org.id, event.id);
  const staff = roleAtLeast(access.role, 'staff');
  const admin = roleAtLeast(access.role, 'admin');
  const links: Array<[string, string, boolean]> = [
    ['dashboard', base, true],
    ['participants', `${base}/participants`, staff],
    ['fields', `${base}/fields`, staff],
    ['forms', `${base}/forms`, staff],
    ['import', `${base}/import`, staff],
    ['emails', `${base}/emails`, staff],
    ['campaigns', `${base}/campaigns`, staff],
    ['links', `${base}/links`, staff],
    ['meetings', `${base}/meetings`, staff],
    ['sign-ins', `${base}/sign-ins`, staff],
    ['sponsors', `${base}/sponsors`, staff],
    ['badges', `${base}/badges`, staff],
    ['check-in', `${base}/checkin`, staff],
    ['scan', `${base}/scan`, true],
    ['edit', `${base}/edit`, admin],
  ];
  return (
    <div class="event-header">
      <p class="muted">
        <a href={`/admin/o/${access.org.id}/events`}>Events</a> › {event.name} <span class="badge">{event.status}</span>
      </p>
      <nav class="tabs" aria-label="Event">
        {links
          .filter(([, , allowed]) => allowed)
          .map(([label, href]) => (
            <a href={href} aria-current={label === current ? 'page' : undefined}>
              {TAB_TITLES[label] ?? label[0]!.toUpperCase() + label.slice(1)}
            </a>
          ))}
      </nav>
    </div>
  );
}
