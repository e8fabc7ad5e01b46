import { Type, type Static } from '@sinclair/typebox';
import type { OrgAccess } from '../../http/staff-session.js';
import type { CustomField } from '../../modules/custom-fields/index.js';
import type { Event } from '../../modules/events/index.js';
import type { EventForm } from '../../modules/forms/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { CsrfField } from '../layout.js';
import { utcToZonedInput, zonedToUtc, formatInZone } from './event-time.js';
import { ErrorSummary, EventHeader, FieldError, eventPath, invalid, type FormErrors } from './event-ui.js';

const Csrf = Type.String({ maxLength: 200 });
const Flag = Type.Optional(Type.String({ maxLength: 10 }));

export const FormBody = Type.Object(
  {
    _csrf: Csrf,
    title: Type.String({ maxLength: 1000 }),
    intro: Type.Optional(Type.String({ maxLength: 10_000 })),
    field: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 500 })),
    closes_at: Type.Optional(Type.String({ maxLength: 40 })),
    allow_email_change: Flag,
  },
  { additionalProperties: false },
);
export type FormBodyType = Static<typeof FormBody>;

export const AccessBody = Type.Object(
  { _csrf: Csrf, registration_open: Flag, tell_known_emails: Flag, rsvp_closes_at: Type.Optional(Type.String({ maxLength: 40 })) },
  { additionalProperties: false },
);
export type AccessBodyType = Static<typeof AccessBody>;

export const DeleteBody = Type.Object({ _csrf: Csrf }, { additionalProperties: false });

/** What the form editor shows: the organiser's own text, times in the event's zone. */
export interface FormValues {
  title: string;
  intro: string;
  fieldKeys: string[];
  closesAt: string;
  allowEmailChange: boolean;
}

export const ERROR_PATHS: Record<string, string> = { fieldKeys: 'field', closesAt: 'closes_at' };

/** How URLs name a form: the registration form by its slug (it may not be stored yet), others by id. */
export function formRef(form: EventForm): string {
  return form.kind === 'registration' || !form.id ? 'register' : form.id;
}

export function blankFormValues(): FormValues {
  return { title: '', intro: '', fieldKeys: [], closesAt: '', allowEmailChange: false };
}

export function formValuesOf(form: EventForm, event: Event): FormValues {
  return { title: form.title, intro: form.intro, fieldKeys: form.fieldKeys, closesAt: form.closesAt ? utcToZonedInput(form.closesAt, event.timeZone) : '', allowEmailChange: form.allowEmailChange };
}

export function formValuesFromBody(body: FormBodyType): FormValues {
  return { title: body.title, intro: body.intro ?? '', fieldKeys: body.field ?? [], closesAt: body.closes_at ?? '', allowEmailChange: body.allow_email_change !== undefined };
}

/** An empty time means "never"; anything else must be a time in the event's zone. */
export function zonedOrNull(local: string, event: Event, field: string, errors: FormErrors): string | null {
  if (local.trim() === '') return null;
  const utc = zonedToUtc(local, event.timeZone);
  if (!utc) errors[field] = 'Give a date and time, or leave it empty';
  return utc;
}

function FieldChoice({ fields, chosen, errors }: { fields: CustomField[]; chosen: string[]; errors: FormErrors }) {
  if (fields.length === 0) return <p class="muted">The event has no custom fields yet: add some under Fields first.</p>;
  // Chosen fields first, in the form's order, then the others in the event's order.
  const ordered = [...chosen.map((k) => fields.find((f) => f.key === k)).filter((f): f is CustomField => f !== undefined), ...fields.filter((f) => !chosen.includes(f.key))];
  return (
    <fieldset>
      <legend>Fields to show</legend>
      <span class="choices">
        {ordered.map((field) => (
          <label class="choice">
            <input type="checkbox" name="field" value={field.key} checked={chosen.includes(field.key)} /> {field.label} <code>{field.key}</code>
          </label>
        ))}
      </span>
      <FieldError errors={errors} name="field" />
    </fieldset>
  );
}

export interface FormEditorProps {
  access: OrgAccess;
  event: Event;
  csrf: string;
  form: EventForm | null;
  fields: CustomField[];
  values: FormValues;
  errors: FormErrors;
}

export function FormEditor({ access, event, csrf, form, fields, values, errors }: FormEditorProps) {
  const base = `${eventPath(access.org.id, event.id)}/forms`;
  const registration = form?.kind === 'registration';
  return (
    <section>
      <EventHeader access={access} event={event} current="forms" />
      <h1>{form ? `Edit ${form.title}` : 'New update form'}</h1>
      <form method="post" action={form ? `${base}/${formRef(form)}/edit` : `${base}/new`} class="card">
        <ErrorSummary errors={errors} />
        <CsrfField csrf={csrf} />
        <div class="grid2">
          <label>
            Title
            <input name="title" value={values.title} required maxLength={200} aria-invalid={invalid(errors, 'title')} />
            <FieldError errors={errors} name="title" />
          </label>
          <label>
            Closes at <span class="muted">(event time, {event.timeZone}; empty: open until the event ends)</span>
            <input type="datetime-local" name="closes_at" value={values.closesAt} aria-invalid={invalid(errors, 'closes_at')} />
            <FieldError errors={errors} name="closes_at" />
          </label>
          <label>
            Introduction <span class="muted">(shown above the form)</span>
            <textarea name="intro" rows={3} maxLength={2000}>
              {values.intro}
            </textarea>
            <FieldError errors={errors} name="intro" />
          </label>
          <label class="check">
            <input type="checkbox" name="allow_email_change" value="on" checked={values.allowEmailChange} /> Let people change their email address
            <span class="muted"> (the new address is used only once confirmed by a link sent to it; the old address is told)</span>
          </label>
        </div>
        {registration ? <p class="muted">The registration form shows the name and every custom field of the event.</p> : <FieldChoice fields={fields} chosen={values.fieldKeys} errors={errors} />}
        <button type="submit">{form ? 'Save' : 'Create form'}</button> <a href={base}>Cancel</a>
      </form>
    </section>
  );
}

function closes(form: EventForm, event: Event): string {
  return form.closesAt ? formatInZone(form.closesAt, event.timeZone) : 'when the event ends';
}

export function FormsTable({ access, event, forms, fields }: { access: OrgAccess; event: Event; forms: EventForm[]; fields: CustomField[] }) {
  const admin = roleAtLeast(access.role, 'admin');
  const base = `${eventPath(access.org.id, event.id)}/forms`;
  const labels = new Map(fields.map((f) => [f.key, f.label]));
  return (
    <table>
      <thead>
        <tr>
          <th>Form</th>
          <th>Page</th>
          <th>Fields</th>
          <th>Closes</th>
          <th>Email change</th>
          {admin && <th></th>}
        </tr>
      </thead>
      <tbody>
        {forms.map((form) => (
          <tr>
            <td>
              {form.title} <span class="badge">{form.kind}</span>
            </td>
            <td>
              <code>/e/{event.id}/forms/{form.slug}</code>
            </td>
            <td>{form.kind === 'registration' ? 'name and all fields' : form.fieldKeys.map((k) => labels.get(k) ?? `${k} (deleted)`).join(', ')}</td>
            <td>{closes(form, event)}</td>
            <td>{form.allowEmailChange ? 'allowed' : 'no'}</td>
            {admin && (
              <td>
                <a href={`${base}/${formRef(form)}/edit`}>Edit</a>
                {form.kind === 'update' && (
                  <>
                    {' '}
                    · <a href={`${base}/${formRef(form)}/delete`}>Delete</a>
                  </>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface AccessValues {
  registrationOpen: boolean;
  tellKnownEmails: boolean;
  rsvpClosesAt: string;
}

export function accessValuesOf(event: Event): AccessValues {
  return { registrationOpen: event.registrationOpen, tellKnownEmails: event.tellKnownEmails, rsvpClosesAt: event.rsvpClosesAt ? utcToZonedInput(event.rsvpClosesAt, event.timeZone) : '' };
}

export function AccessSettings({ access, event, csrf, values, errors }: { access: OrgAccess; event: Event; csrf: string; values: AccessValues; errors: FormErrors }) {
  const admin = roleAtLeast(access.role, 'admin');
  return (
    <form method="post" action={`${eventPath(access.org.id, event.id)}/forms/access`} class="card" id="access">
      <h2>Access</h2>
      <ErrorSummary errors={errors} />
      <CsrfField csrf={csrf} />
      <label class="check">
        <input type="checkbox" name="registration_open" value="on" checked={values.registrationOpen} disabled={!admin} /> Registration is open on the public page
      </label>
      <label class="check">
        <input type="checkbox" name="tell_known_emails" value="on" checked={values.tellKnownEmails} disabled={!admin} /> Tell an address that is already on the event that it is
        registered
      </label>
      <p class="muted">
        Off (recommended): the public page answers "check your inbox" to everyone, and the owner of a known address gets their personal link by email. Nobody
        can use the page to find out who is on your list. On: the page says "already registered" to whoever types a known address, which is friendlier but
        lets anyone test whether a given person is registered.
      </p>
      <label>
        RSVP closes at <span class="muted">(event time, {event.timeZone}; empty: when the event starts)</span>
        <input type="datetime-local" name="rsvp_closes_at" value={values.rsvpClosesAt} disabled={!admin} aria-invalid={invalid(errors, 'rsvp_closes_at')} />
        <FieldError errors={errors} name="rsvp_closes_at" />
      </label>
      {admin && <button type="submit">Save access settings</button>}
    </form>
  );
}
