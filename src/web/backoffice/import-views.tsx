import type { OrgAccess } from '../../http/staff-session.js';
import type { CustomField } from '../../modules/custom-fields/index.js';
import type { Event } from '../../modules/events/index.js';
import {
  MAX_STORED_ERRORS,
  targetLabel,
  targetsFor,
  type ColumnTarget,
  type ExistingPolicy,
  type Import,
  type ImportPreview,
  type ImportReport,
} from '../../modules/imports/index.js';
import { CsrfField } from '../layout.js';
import { formatDateTime } from './components.js';
import { EventHeader, eventPath } from './event-ui.js';

export interface ImportPageContext {
  access: OrgAccess;
  event: Event;
  fields: CustomField[];
  csrf: string;
}

export function importsPath(access: OrgAccess, event: Event): string {
  return `${eventPath(access.org.id, event.id)}/import`;
}

const STATUS_TEXT: Record<Import['status'], string> = {
  uploaded: 'uploaded, not checked',
  checked: 'checked, not imported',
  imported: 'imported',
  failed: 'failed, nothing imported',
};

function megabytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

function FormatHelp({ fields, maxBytes }: { fields: CustomField[]; maxBytes: number }) {
  return (
    <details class="card">
      <summary>What the file should look like</summary>
      <ul>
        <li>
          A CSV file saved as UTF-8 (in Excel: <em>CSV UTF-8</em>), with <code>,</code> or <code>;</code> between values, at most{' '}
          {megabytes(maxBytes)}.
        </li>
        <li>The first line names the columns; you choose what each column is on the next page. An email column is required.</li>
        <li>
          Dates as <code>YYYY-MM-DD</code>, several choices in one cell separated by <code>|</code>, checkboxes as <code>yes</code> or{' '}
          <code>no</code>.
        </li>
        <li>An empty cell is no value: it never erases what a participant already has.</li>
        {fields.length > 0 && (
          <li>
            This event's fields: {fields.map((f) => `${f.label} (${f.key})`).join(', ')}.
          </li>
        )}
      </ul>
    </details>
  );
}

export function UploadPage(props: ImportPageContext & { imports: Import[]; maxBytes: number }) {
  const path = importsPath(props.access, props.event);
  return (
    <section>
      <EventHeader access={props.access} event={props.event} current="import" />
      <h1>Import participants</h1>
      <p>
        Upload a CSV file, choose what each column is, check the file (nothing is written), then import. Every row with a problem is listed
        with its line number; the valid rows are imported together, or not at all.
      </p>
      {/* Multipart bodies are not parsed before the CSRF check, so the token travels in the URL. */}
      <form method="post" action={`${path}?_csrf=${encodeURIComponent(props.csrf)}`} enctype="multipart/form-data" class="card">
        <label>
          CSV file
          <input type="file" name="file" accept=".csv,text/csv,text/plain" required />
        </label>
        <button type="submit">Upload</button>
      </form>
      <FormatHelp fields={props.fields} maxBytes={props.maxBytes} />
      {props.imports.length > 0 && (
        <>
          <h2>Recent imports</h2>
          <table>
            <thead>
              <tr>
                <th>File</th>
                <th>Uploaded</th>
                <th>Status</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {props.imports.map((imp) => (
                <tr>
                  <td>
                    <a href={`${path}/${imp.id}`}>{imp.fileName}</a>
                  </td>
                  <td>{formatDateTime(imp.createdAt)}</td>
                  <td>{STATUS_TEXT[imp.status]}</td>
                  <td>{imp.report ? summary(imp.report) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function summary(report: ImportReport): string {
  if (report.fatal) return report.kind === 'failed' ? 'failed' : 'file cannot be read';
  if (report.kind === 'import') return `${report.created} created, ${report.updated} updated, ${report.skipped} left as they were, ${report.invalid} bad rows skipped`;
  return `${report.valid} valid rows, ${report.invalid} with problems`;
}

function ColumnSelect({ index, selected, fields }: { index: number; selected: ColumnTarget; fields: CustomField[] }) {
  return (
    <select name="column" aria-label={`Column ${index + 1} is`}>
      {targetsFor(fields).map((target) => (
        <option value={target} selected={target === selected}>
          {target === 'ignore' ? '— ignore —' : targetLabel(target, fields)}
        </option>
      ))}
    </select>
  );
}

function PolicyChoice({ policy }: { policy: ExistingPolicy | null }) {
  return (
    <fieldset>
      <legend>People already in this event (same email)</legend>
      <label class="choice">
        <input type="radio" name="policy" value="update" checked={policy === 'update'} required /> Update them with the file's values
      </label>
      <label class="choice">
        <input type="radio" name="policy" value="skip" checked={policy === 'skip'} required /> Leave them as they are
      </label>
    </fieldset>
  );
}

export interface MappingProps extends ImportPageContext {
  imp: Import;
  preview: ImportPreview;
  /** Choices sent with a refused form, shown again instead of the saved ones. */
  columns?: ColumnTarget[];
  policy?: ExistingPolicy | null;
  errors?: string[];
}

function MappingForm(props: MappingProps) {
  const { preview, imp, fields } = props;
  const columns = props.columns ?? preview.columns;
  const policy = props.policy !== undefined ? props.policy : imp.report ? imp.existingPolicy : null;
  const separator = preview.delimiter === ';' ? 'semicolons' : preview.delimiter === ',' ? 'commas' : 'tabs';
  return (
    <form method="post" action={`${importsPath(props.access, props.event)}/${imp.id}/check`}>
      <CsrfField csrf={props.csrf} />
      <h2>Columns</h2>
      <p class="muted">
        {preview.headers.length} columns separated by {separator}. The first {preview.rows.length} rows of the file:
      </p>
      {props.errors && props.errors.length > 0 && (
        <div class="error-text" role="alert">
          <ul>
            {props.errors.map((message) => (
              <li>{message}</li>
            ))}
          </ul>
        </div>
      )}
      <div class="import-preview">
        <table>
          <thead>
            <tr>
              {preview.headers.map((header) => (
                <th>{header}</th>
              ))}
            </tr>
            <tr>
              {preview.headers.map((_, index) => (
                <td>
                  <ColumnSelect index={index} selected={columns[index] ?? 'ignore'} fields={fields} />
                </td>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row) => (
              <tr>
                {row.map((cell) => (
                  <td>{cell.length > 80 ? `${cell.slice(0, 80)}…` : cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <PolicyChoice policy={policy} />
      <button type="submit">{imp.report ? 'Check the file again' : 'Check the file'}</button>{' '}
      <span class="muted">A check reads every row and writes nothing.</span>
    </form>
  );
}

function ErrorTable({ report }: { report: ImportReport }) {
  if (report.errors.length === 0) return null;
  return (
    <table class="import-errors">
      <thead>
        <tr>
          <th>Line</th>
          <th>Email</th>
          <th>Problem</th>
        </tr>
      </thead>
      <tbody>
        {report.errors.map((error) => (
          <tr>
            <td>{error.line}</td>
            <td>{error.email ?? ''}</td>
            <td>
              {error.reasons.length === 1 ? (
                error.reasons[0]
              ) : (
                <ul>
                  {error.reasons.map((reason) => (
                    <li>{reason}</li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Counts({ report }: { report: ImportReport }) {
  const imported = report.kind === 'import';
  const stats: Array<[string, number]> = imported
    ? [
        ['rows read', report.rows],
        ['created', report.created],
        ['updated', report.updated],
        ['left as they were', report.skipped],
        ['bad rows skipped', report.invalid],
      ]
    : [
        ['rows read', report.rows],
        ['valid', report.valid],
        ['with problems', report.invalid],
        ['already in the event', report.existing],
      ];
  return (
    <div class="stats">
      {stats.map(([label, value]) => (
        <div class="stat card">
          <b>{value.toLocaleString('en')}</b> {label}
        </div>
      ))}
    </div>
  );
}

function ReportSection(props: ImportPageContext & { imp: Import; report: ImportReport }) {
  const { imp, report } = props;
  const path = `${importsPath(props.access, props.event)}/${imp.id}`;
  const title = report.kind === 'import' ? 'Import finished' : report.kind === 'failed' ? 'Import failed' : 'Check result';
  const existing =
    report.existing > 0 && report.kind === 'dry_run'
      ? `${report.existing} valid ${report.existing === 1 ? 'row is' : 'rows are'} already in the event: ${report.policy === 'update' ? 'they will be updated' : 'they will be left as they are'}.`
      : null;
  const canImport = report.kind !== 'import' && imp.status === 'checked' && !report.fatal && report.valid > 0;
  return (
    <section id="report">
      <h2>{title}</h2>
      <p class="muted">{formatDateTime(report.at)}</p>
      {report.fatal ? (
        <p class="error-text" role="alert">
          {report.fatal}
        </p>
      ) : (
        <Counts report={report} />
      )}
      {existing && <p>{existing}</p>}
      {report.invalid > 0 && (
        <>
          <h3>
            {report.invalid.toLocaleString('en')} {report.invalid === 1 ? 'row has' : 'rows have'} problems
            {report.kind === 'import' ? ' and were not imported' : ' and will be skipped'}
          </h3>
          {report.invalid > report.errors.length && (
            <p class="muted">The first {MAX_STORED_ERRORS.toLocaleString('en')} are listed here.</p>
          )}
          {imp.hasFile && imp.status !== 'imported' && (
            <p>
              <a href={`${path}/problems.csv`}>Download every row with a problem (CSV)</a>
            </p>
          )}
          <ErrorTable report={report} />
        </>
      )}
      {canImport && (
        <form method="post" action={`${path}/run`} class="card">
          <CsrfField csrf={props.csrf} />
          <p>
            Import {report.valid.toLocaleString('en')} valid {report.valid === 1 ? 'row' : 'rows'} as participants with the status{' '}
            <b>imported</b>
            {report.invalid > 0 ? `, skipping the ${report.invalid.toLocaleString('en')} with problems` : ''}. The file is read and checked
            once more; if anything goes wrong, nothing is imported.
          </p>
          <button type="submit">Import {report.valid.toLocaleString('en')} rows</button>
        </form>
      )}
      {report.kind === 'import' && (
        <p>
          <a href={`${eventPath(props.access.org.id, props.event.id)}/participants`}>See the participants</a>
        </p>
      )}
    </section>
  );
}

export function ImportPage(props: MappingProps | (ImportPageContext & { imp: Import; preview: null; unavailable: string })) {
  const { imp } = props;
  const path = importsPath(props.access, props.event);
  return (
    <section>
      <EventHeader access={props.access} event={props.event} current="import" />
      <h1>Import {imp.fileName}</h1>
      <p class="muted">
        {megabytes(imp.sizeBytes)} · uploaded {formatDateTime(imp.createdAt)} · {STATUS_TEXT[imp.status]} · <a href={path}>All imports</a>
      </p>
      {props.preview ? (
        <MappingForm {...props} />
      ) : (
        imp.status !== 'imported' && (
          <p class="error-text" role="alert">
            {props.unavailable} <a href={path}>Upload a file</a>
          </p>
        )
      )}
      {imp.report && <ReportSection {...props} report={imp.report} />}
    </section>
  );
}
