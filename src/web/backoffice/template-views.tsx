import { Type, type Static } from '@sinclair/typebox';
import type { CustomField } from '../../modules/custom-fields/index.js';
import { TEMPLATE_TYPES, listMergeTags, type EmailTemplate, type TemplateProblem, type TemplateType } from '../../modules/emailing/index.js';
import { CsrfField } from '../layout.js';

const Csrf = Type.String({ maxLength: 200 });
// A body may hold up to 500,000 characters (the domain says so); the form limit is a bit above.
const Body = Type.String({ maxLength: 600_000 });

export const TemplateBody = Type.Object(
  {
    _csrf: Csrf,
    name: Type.String({ maxLength: 1000 }),
    type: Type.Union(TEMPLATE_TYPES.map((t) => Type.Literal(t))),
    level: Type.Optional(Type.Union([Type.Literal('event'), Type.Literal('org')])),
    subject: Type.String({ maxLength: 5000 }),
    html: Body,
    text: Type.Optional(Body),
  },
  { additionalProperties: false },
);
export type TemplateBodyType = Static<typeof TemplateBody>;

export interface TemplateFormValues {
  name: string;
  type: TemplateType;
  level: 'event' | 'org';
  subject: string;
  html: string;
  text: string;
}

export const TYPE_LABELS: Record<TemplateType, string> = {
  invitation: 'Invitation',
  credentials: 'Credentials',
  account_verification: 'Account verification',
  update_request: 'Update request',
  reminder: 'Reminder',
  custom: 'Custom',
};

export function blankTemplateValues(): TemplateFormValues {
  return { name: '', type: 'custom', level: 'event', subject: '', html: '<p>Dear {{ first_name }},</p>\n\n<p></p>', text: '' };
}

export function templateValuesOf(t: EmailTemplate): TemplateFormValues {
  return { name: t.name, type: t.type, level: t.eventId ? 'event' : 'org', subject: t.subject, html: t.html, text: t.text ?? '' };
}

/** Exactly what was typed, so a refused save loses nothing. */
export function templateValuesFromBody(body: TemplateBodyType): TemplateFormValues {
  return { name: body.name, type: body.type, level: body.level ?? 'event', subject: body.subject, html: body.html, text: body.text ?? '' };
}

const PART_FIELDS: Record<string, string> = { '/subject': 'subject', '/html': 'html', '/text': 'text', '/name': 'name', '/type': 'type' };

/** Every problem of a refused template, grouped by the form field it belongs to. */
export function problemsByField(problems: TemplateProblem[]): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const p of problems) (byField[PART_FIELDS[p.path] ?? '_form'] ??= []).push(p.message);
  return byField;
}

function Problems({ list }: { list: string[] | undefined }) {
  if (!list || list.length === 0) return null;
  return (
    <ul class="field-error">
      {list.map((m) => (
        <li>{m}</li>
      ))}
    </ul>
  );
}

/** Every problem above the form: unknown tags and linter refusals are listed one by one. */
export function ProblemSummary({ problems, message }: { problems: TemplateProblem[]; message: string | null }) {
  if (problems.length === 0 && !message) return null;
  return (
    <div class="error-text" role="alert">
      <p>{message ?? 'This template cannot be saved yet:'}</p>
      <ul>
        {problems.map((p) => (
          <li>
            {p.message}
            {p.tag ? <code> {p.tag}</code> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function TagReference({ type, fields }: { type: TemplateType; fields: CustomField[] }) {
  return (
    <details class="card">
      <summary>Merge tags for a {TYPE_LABELS[type].toLowerCase()} template</summary>
      <table>
        <tbody>
          {listMergeTags(type).map((tag) => (
            <tr>
              <td>
                <code>{`{{ ${tag.name} }}`}</code>
              </td>
              <td>
                {tag.description}
                {tag.personal ? <span class="badge">personal</span> : null}
              </td>
            </tr>
          ))}
          {fields.map((f) => (
            <tr>
              <td>
                <code>{`{{ fields.${f.key} }}`}</code>
              </td>
              <td>Custom field: {f.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export interface TemplateFormProps {
  action: string;
  csrf: string;
  values: TemplateFormValues;
  problems: TemplateProblem[];
  creating: boolean;
  editable: boolean;
  fields: CustomField[];
}

export function TemplateForm({ action, csrf, values, problems, creating, editable, fields }: TemplateFormProps) {
  const byField = problemsByField(problems);
  return (
    <form method="post" action={action} class="card">
      <CsrfField csrf={csrf} />
      <div class="grid2">
        <label>
          Name
          <input name="name" value={values.name} required maxLength={200} aria-invalid={byField['name'] ? 'true' : undefined} />
          <Problems list={byField['name']} />
        </label>
        <label>
          Type
          <select name="type">
            {TEMPLATE_TYPES.map((t) => (
              <option value={t} selected={t === values.type}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {creating ? (
        <fieldset>
          <legend>Available in</legend>
          <label class="choice">
            <input type="radio" name="level" value="event" checked={values.level === 'event'} /> this event only
          </label>
          <label class="choice">
            <input type="radio" name="level" value="org" checked={values.level === 'org'} /> every event of the organisation
          </label>
        </fieldset>
      ) : (
        <p class="muted">{values.level === 'org' ? 'Organisation template: available in every event.' : 'Template of this event.'}</p>
      )}
      <label>
        Subject
        <input name="subject" value={values.subject} required maxLength={500} aria-invalid={byField['subject'] ? 'true' : undefined} />
        <Problems list={byField['subject']} />
      </label>
      <label>
        HTML body
        <textarea name="html" rows={16} required aria-invalid={byField['html'] ? 'true' : undefined}>
          {/* A leading newline right after <textarea> is dropped by HTML parsers: this one, not the user's. */}
          {`\n${values.html}`}
        </textarea>
        <Problems list={byField['html']} />
      </label>
      <label>
        Text body <span class="muted">(optional: when empty, generated from the HTML of each email)</span>
        <textarea name="text" rows={6} aria-invalid={byField['text'] ? 'true' : undefined}>
          {`\n${values.text}`}
        </textarea>
        <Problems list={byField['text']} />
      </label>
      <TagReference type={values.type} fields={fields} />
      {editable && <button type="submit">{creating ? 'Create template' : 'Save'}</button>}
    </form>
  );
}
