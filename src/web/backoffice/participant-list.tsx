import { Type, type Static } from '@sinclair/typebox';
import type { CustomField, FieldValue } from '../../modules/custom-fields/index.js';
import type { Event } from '../../modules/events/index.js';
import {
  PARTICIPANT_SORTS,
  PARTICIPANT_STATUSES,
  type Participant,
  type ParticipantPage,
  type ParticipantQuery,
  type ParticipantSort,
  type ParticipantStatus,
} from '../../modules/participants/index.js';
import { countryName } from './participant-form.js';

export const PAGE_SIZES = [25, 50, 100, 200] as const;
const DEFAULT_PAGE_SIZE = 50;
// Only a few custom columns fit next to name, email and status; the rest is on the participant page.
const CUSTOM_COLUMNS = 4;

// Not additionalProperties: false, so a bookmarked link with a stray parameter still opens.
export const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.Array(Type.Union(PARTICIPANT_STATUSES.map((s) => Type.Literal(s))), { maxItems: 10 })),
  f: Type.Optional(Type.String({ maxLength: 500 })),
  sort: Type.Optional(Type.Union(PARTICIPANT_SORTS.map((s) => Type.Literal(s)))),
  dir: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  limit: Type.Optional(Type.Union(PAGE_SIZES.map((n) => Type.Literal(String(n))))),
  cursor: Type.Optional(Type.String({ maxLength: 2000 })),
});

/** Everything that decides which participants are listed, as it travels in the URL. */
export interface ListState {
  q: string;
  statuses: ParticipantStatus[];
  /** `key:value` of one choice or checkbox field, or '' for no field filter. */
  f: string;
  sort: ParticipantSort;
  dir: 'asc' | 'desc';
  limit: number;
}

/** Fields one can filter on with a fixed list of values. */
export function filterableFields(fields: CustomField[]): CustomField[] {
  return fields.filter((f) => f.type === 'single_choice' || f.type === 'multiple_choice' || f.type === 'checkbox');
}

export function listStateOf(raw: unknown): ListState & { cursor: string | null } {
  const query = raw as Static<typeof ListQuery>;
  return {
    q: (query.q ?? '').trim(),
    statuses: [...new Set(query.status ?? [])],
    f: query.f ?? '',
    sort: query.sort ?? 'name',
    dir: query.dir ?? 'asc',
    limit: query.limit ? Number(query.limit) : DEFAULT_PAGE_SIZE,
    cursor: query.cursor || null,
  };
}

/** The domain query; a field filter naming a field the event no longer has is ignored. */
export function participantQueryOf(state: ListState, cursor: string | null, fields: CustomField[]): ParticipantQuery {
  const separator = state.f.indexOf(':');
  const key = separator > 0 ? state.f.slice(0, separator) : '';
  const known = filterableFields(fields).some((f) => f.key === key);
  return {
    q: state.q || undefined,
    statuses: state.statuses.length > 0 ? state.statuses : undefined,
    fields: known ? { [key]: state.f.slice(separator + 1) } : undefined,
    sort: state.sort,
    dir: state.dir,
    limit: state.limit,
    cursor: cursor ?? undefined,
  };
}

/** A link to the list with this state; statuses repeat the `status` key like the form does. */
export function listHref(path: string, state: ListState, cursor: string | null = null): string {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const status of state.statuses) params.append('status', status);
  if (state.f) params.set('f', state.f);
  if (state.sort !== 'name') params.set('sort', state.sort);
  if (state.dir !== 'asc') params.set('dir', state.dir);
  if (state.limit !== DEFAULT_PAGE_SIZE) params.set('limit', String(state.limit));
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export function displayValue(field: CustomField, value: FieldValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.join(', ');
  return field.type === 'country' ? countryName(value) : value;
}

function FieldFilter({ fields, selected }: { fields: CustomField[]; selected: string }) {
  const filterable = filterableFields(fields);
  if (filterable.length === 0) return null;
  return (
    <label>
      Field value
      <select name="f">
        <option value="">Any</option>
        {filterable.map((field) => (
          <optgroup label={field.label}>
            {(field.type === 'checkbox' ? ['true', 'false'] : field.options).map((value) => (
              <option value={`${field.key}:${value}`} selected={selected === `${field.key}:${value}`}>
                {field.type === 'checkbox' ? `${field.label}: ${value === 'true' ? 'yes' : 'no'}` : value}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}

const SORT_LABELS: Record<ParticipantSort, string> = { name: 'Name', email: 'Email', created: 'Date added', status: 'Status' };

function Filters({ path, state, fields }: { path: string; state: ListState; fields: CustomField[] }) {
  return (
    <form method="get" action={path} class="toolbar filters">
      <label>
        Search
        <input type="search" name="q" value={state.q} maxLength={200} placeholder="Name, email or answer" />
      </label>
      <fieldset class="statuses">
        <legend>Status</legend>
        {PARTICIPANT_STATUSES.map((status) => (
          <label class="choice">
            <input type="checkbox" name="status" value={status} checked={state.statuses.includes(status)} /> {status}
          </label>
        ))}
      </fieldset>
      <FieldFilter fields={fields} selected={state.f} />
      <label>
        Sort by
        <select name="sort">
          {PARTICIPANT_SORTS.map((sort) => (
            <option value={sort} selected={sort === state.sort}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Order
        <select name="dir">
          <option value="asc" selected={state.dir === 'asc'}>
            Ascending
          </option>
          <option value="desc" selected={state.dir === 'desc'}>
            Descending
          </option>
        </select>
      </label>
      <label>
        Per page
        <select name="limit">
          {PAGE_SIZES.map((n) => (
            <option value={String(n)} selected={n === state.limit}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="secondary">
        Apply
      </button>
      <a href={path}>Clear</a>
    </form>
  );
}

function Row({ path, participant, columns }: { path: string; participant: Participant; columns: CustomField[] }) {
  const name = `${participant.lastName}${participant.lastName && participant.firstName ? ', ' : ''}${participant.firstName}`;
  return (
    <tr>
      <td>
        <a href={`${path}/${participant.id}`}>{name || '(no name)'}</a>
      </td>
      <td>{participant.email}</td>
      <td>
        <span class="badge">{participant.status}</span>
      </td>
      {columns.map((field) => (
        <td>{displayValue(field, participant.fields[field.key])}</td>
      ))}
    </tr>
  );
}

export interface ListPageProps {
  event: Event;
  path: string;
  state: ListState;
  cursor: string | null;
  fields: CustomField[];
  page: ParticipantPage;
}

export function ParticipantList({ path, state, cursor, fields, page }: ListPageProps) {
  const columns = fields.slice(0, CUSTOM_COLUMNS);
  const filtered = Boolean(state.q || state.statuses.length > 0 || state.f);
  return (
    <>
      <Filters path={path} state={state} fields={fields} />
      <p class="count">
        <b>{page.total}</b> {page.total === 1 ? 'participant' : 'participants'}
        {filtered ? (page.total === 1 ? ' matches' : ' match') : ''}
        {page.items.length < page.total ? ` · showing ${page.items.length} on this page` : ''}
      </p>
      {page.items.length === 0 ? (
        <p class="muted">{filtered ? 'Nobody matches these filters.' : 'No participants yet.'}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Status</th>
              {columns.map((field) => (
                <th>{field.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {page.items.map((participant) => (
              <Row path={path} participant={participant} columns={columns} />
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {cursor && <a href={listHref(path, state)}>« First page</a>}
        {page.nextCursor && <a href={listHref(path, state, page.nextCursor)}>Next »</a>}
      </nav>
    </>
  );
}
