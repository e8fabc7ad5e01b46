import type { OrgAccess } from '../../http/staff-session.js';
import {
  BADGE_PAGE_SIZES,
  BADGE_QR_POSITIONS,
  BADGE_QR_SIZES,
  BUILT_IN_LABELS,
  BUILT_IN_SOURCES,
  MAX_BADGE_FIELDS,
  MAX_FONT_SIZE,
  MIN_FONT_SIZE,
  PAGE_SIZES,
  type BadgeCounts,
  type BadgeLayout,
  type BadgeQrPosition,
  type BadgeQrSize,
} from '../../modules/badges/index.js';
import type { CustomField } from '../../modules/custom-fields/index.js';
import type { Event } from '../../modules/events/index.js';
import { CsrfField } from '../layout.js';
import { ErrorSummary, EventHeader, FieldError, eventPath, type FormErrors } from './event-ui.js';
import { listHref, type ListState } from './participant-list.js';

export const QR_SIZE_LABELS: Record<BadgeQrSize, string> = { small: 'Small (26 mm)', medium: 'Medium (33 mm)', large: 'Large (40 mm)' };
export const QR_POSITION_LABELS: Record<BadgeQrPosition, string> = { bottom: 'Below the text', right: 'Right of the text' };

export function badgesPath(orgId: string, eventId: string): string {
  return `${eventPath(orgId, eventId)}/badges`;
}

export function participantBadgePath(orgId: string, eventId: string, participantId: string): string {
  return `${eventPath(orgId, eventId)}/participants/${participantId}/badge.pdf`;
}

/** The editor's values as typed: strings, so a refused form shows exactly what was sent. */
export interface LayoutFormValues {
  name: string;
  pageSize: string;
  qrSize: string;
  qrPosition: string;
  rows: Array<{ order: string; source: string; size: string; bold: boolean }>;
}

export function layoutFormValues(layout: Omit<BadgeLayout, 'id' | 'eventId' | 'createdAt' | 'updatedAt'>): LayoutFormValues {
  const rows = layout.fields.map((field, index) => ({ order: String(index + 1), source: field.source, size: String(field.size), bold: field.bold }));
  while (rows.length < MAX_BADGE_FIELDS) rows.push({ order: String(rows.length + 1), source: '', size: '14', bold: false });
  return { name: layout.name, pageSize: layout.pageSize, qrSize: layout.qrSize, qrPosition: layout.qrPosition, rows };
}

function sourceLabel(source: string, fields: CustomField[]): string {
  const builtIn = BUILT_IN_LABELS[source as keyof typeof BUILT_IN_LABELS];
  if (builtIn) return builtIn;
  return fields.find((f) => `field:${f.key}` === source)?.label ?? source;
}

function Choices<T extends string>({ name, legend, values, labels, selected }: { name: string; legend: string; values: readonly T[]; labels: Record<T, string>; selected: string }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {values.map((value) => (
        <label class="choice">
          <input type="radio" name={name} value={value} checked={value === selected} required /> {labels[value]}
        </label>
      ))}
    </fieldset>
  );
}

function FieldRows({ values, fields, errors }: { values: LayoutFormValues; fields: CustomField[]; errors: FormErrors }) {
  return (
    <fieldset>
      <legend>Printed fields, top to bottom</legend>
      <p class="muted">
        Lines are printed in increasing order; leave a row on "—" to print nothing. A value too wide for the badge is printed smaller (down to {MIN_FONT_SIZE} pt).
      </p>
      <table>
        <thead>
          <tr>
            <th>Order</th>
            <th>Field</th>
            <th>Font size (pt)</th>
            <th>Bold</th>
          </tr>
        </thead>
        <tbody>
          {values.rows.map((row, i) => (
            <tr>
              <td>
                <input name={`order_${i}`} type="number" min={1} max={99} value={row.order} aria-label={`Order of line ${i + 1}`} />
              </td>
              <td>
                <select name={`source_${i}`} aria-label={`Field of line ${i + 1}`}>
                  <option value="">—</option>
                  {BUILT_IN_SOURCES.map((source) => (
                    <option value={source} selected={row.source === source}>
                      {BUILT_IN_LABELS[source]}
                    </option>
                  ))}
                  {fields.map((field) => (
                    <option value={`field:${field.key}`} selected={row.source === `field:${field.key}`}>
                      {field.label}
                    </option>
                  ))}
                </select>
                <FieldError errors={errors} name={`source_${i}`} />
              </td>
              <td>
                <input name={`size_${i}`} type="number" min={MIN_FONT_SIZE} max={MAX_FONT_SIZE} value={row.size} aria-label={`Font size of line ${i + 1}`} />
                <FieldError errors={errors} name={`size_${i}`} />
              </td>
              <td>
                <input type="checkbox" name={`bold_${i}`} value="on" checked={row.bold} aria-label={`Line ${i + 1} in bold`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FieldError errors={errors} name="fields" />
    </fieldset>
  );
}

/** The editor; "Download a sample PDF" posts the same form, unsaved, to the preview route. */
export function LayoutEditor(props: {
  access: OrgAccess;
  event: Event;
  fields: CustomField[];
  layout: BadgeLayout | null;
  values: LayoutFormValues;
  errors: FormErrors;
  csrf: string;
}) {
  const base = badgesPath(props.access.org.id, props.event.id);
  const { values, errors } = props;
  const pageLabels = Object.fromEntries(BADGE_PAGE_SIZES.map((size) => [size, PAGE_SIZES[size].label])) as Record<(typeof BADGE_PAGE_SIZES)[number], string>;
  return (
    <section>
      <EventHeader access={props.access} event={props.event} current="badges" />
      <h1>{props.layout ? `Badge layout: ${props.layout.name}` : 'New badge layout'}</h1>
      <ErrorSummary errors={errors} />
      <form method="post" action={props.layout ? `${base}/${props.layout.id}` : base}>
        <CsrfField csrf={props.csrf} />
        <label>
          Name
          <input name="name" value={values.name} required maxLength={100} />
          <FieldError errors={errors} name="name" />
        </label>
        <Choices name="page_size" legend="Page or label size (one badge per page)" values={BADGE_PAGE_SIZES} labels={pageLabels} selected={values.pageSize} />
        <FieldError errors={errors} name="page_size" />
        <FieldRows values={values} fields={props.fields} errors={errors} />
        <Choices name="qr_size" legend="QR code size" values={BADGE_QR_SIZES} labels={QR_SIZE_LABELS} selected={values.qrSize} />
        <Choices name="qr_position" legend="QR code position" values={BADGE_QR_POSITIONS} labels={QR_POSITION_LABELS} selected={values.qrPosition} />
        <p>
          <button type="submit">{props.layout ? 'Save' : 'Create layout'}</button>{' '}
          <button type="submit" class="secondary" formaction={props.layout ? `${base}/sample?layoutId=${props.layout.id}` : `${base}/sample`} data-testid="sample-badge">
            Download a sample PDF
          </button>{' '}
          <a href={base}>Cancel</a>
        </p>
      </form>
      {props.layout && (
        <form method="post" action={`${base}/${props.layout.id}/delete`}>
          <CsrfField csrf={props.csrf} />
          <button type="submit" class="danger">
            Delete this layout
          </button>
        </form>
      )}
    </section>
  );
}

function LayoutRows({ base, layouts, fields }: { base: string; layouts: BadgeLayout[]; fields: CustomField[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Layout</th>
          <th>Size</th>
          <th>Prints</th>
          <th>QR code</th>
        </tr>
      </thead>
      <tbody>
        {layouts.map((layout, index) => (
          <tr>
            <td>
              {layout.id ? <a href={`${base}/${layout.id}`}>{layout.name}</a> : layout.name} {index === 0 && <span class="badge">default</span>}
            </td>
            <td>{PAGE_SIZES[layout.pageSize].label}</td>
            <td>{layout.fields.map((f) => `${sourceLabel(f.source, fields)} (${f.size} pt${f.bold ? ', bold' : ''})`).join(' · ')}</td>
            <td>
              {QR_SIZE_LABELS[layout.qrSize]}, {QR_POSITION_LABELS[layout.qrPosition].toLowerCase()}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Hidden inputs carrying the participant list's filter into the download form. */
function ListStateFields({ state }: { state: ListState }) {
  return (
    <>
      {state.q && <input type="hidden" name="q" value={state.q} />}
      {state.statuses.map((status) => (
        <input type="hidden" name="status" value={status} />
      ))}
      {state.f && <input type="hidden" name="f" value={state.f} />}
      <input type="hidden" name="sort" value={state.sort} />
      <input type="hidden" name="dir" value={state.dir} />
    </>
  );
}

export function BadgesPage(props: {
  access: OrgAccess;
  event: Event;
  fields: CustomField[];
  layouts: BadgeLayout[];
  state: ListState;
  filtered: boolean;
  counts: BadgeCounts;
}) {
  const { access, event, layouts, counts, state } = props;
  const base = badgesPath(access.org.id, event.id);
  const participants = `${eventPath(access.org.id, event.id)}/participants`;
  const skipped = counts.matching - counts.printable;
  return (
    <section>
      <EventHeader access={access} event={event} current="badges" />
      <div class="toolbar spread">
        <h1>Badges</h1>
        <a class="button" href={`${base}/new`}>
          New layout
        </a>
      </div>
      <h2>Print badges</h2>
      <p>
        {props.filtered ? (
          <>
            For the <a href={listHref(participants, { ...state, limit: 50 })}>filtered participant list</a>:{' '}
          </>
        ) : (
          <>
            For every participant (to print a part of them, filter the <a href={participants}>participant list</a> and use its "Print badges" button):{' '}
          </>
        )}
        <strong data-testid="printable-count">{counts.printable}</strong> {counts.printable === 1 ? 'badge' : 'badges'}, one per page, in the list's order.
        {skipped > 0 && ` ${skipped} ${skipped === 1 ? 'participant is' : 'participants are'} not registered and ${skipped === 1 ? 'gets' : 'get'} no badge.`}
      </p>
      <p class="muted">The QR code on a badge lets its holder in: keep printed badges safe. Every download is recorded in the audit log.</p>
      {counts.printable > 0 && (
        <form method="get" action={`${eventPath(access.org.id, event.id)}/badges.pdf`} class="toolbar">
          <ListStateFields state={state} />
          <label>
            Layout
            <select name="layout">
              {layouts.map((layout) => (
                <option value={layout.id ?? ''}>{layout.name}</option>
              ))}
            </select>
          </label>
          <button type="submit" data-testid="print-badges">
            Download badges (PDF)
          </button>
        </form>
      )}
      <h2>Layouts</h2>
      {layouts[0]?.id === null && <p class="muted">This event has no layout of its own yet: badges use the built-in one below.</p>}
      <LayoutRows base={base} layouts={layouts} fields={props.fields} />
    </section>
  );
}
