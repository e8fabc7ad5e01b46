import { Type, type Static } from '@sinclair/typebox';
import { isCountryCode, type CustomField } from '../../modules/custom-fields/index.js';
import { PARTICIPANT_STATUSES, type Participant, type ParticipantInput } from '../../modules/participants/index.js';
import { CsrfField } from '../layout.js';
import { ErrorSummary, FieldError, StatusSelect, invalid, type FormErrors } from './event-ui.js';

/** Custom field inputs are named `cf.<key>` so no key can collide with the form's own names. */
export const PREFIX = 'cf.';

// The fixed part of the form is checked here; custom values are shaped loosely and then checked by
// the domain (checkParticipant), which knows each field's type, options and limits.
export const ParticipantBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    email: Type.String({ maxLength: 1000 }),
    first_name: Type.String({ maxLength: 1000 }),
    last_name: Type.String({ maxLength: 1000 }),
    status: Type.Union(PARTICIPANT_STATUSES.map((s) => Type.Literal(s))),
  },
  {
    additionalProperties: false,
    patternProperties: {
      '^cf\\.[a-z][a-z0-9_]{0,39}$': Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 300 })]),
    },
  },
);
type Body = Static<typeof ParticipantBody> & Record<string, string | string[] | undefined>;

/** What the form shows: exactly what the user typed or what is stored, as text. */
export interface ParticipantFormValues {
  email: string;
  firstName: string;
  lastName: string;
  status: string;
  fields: Record<string, string | string[]>;
}

export function blankParticipantValues(): ParticipantFormValues {
  return { email: '', firstName: '', lastName: '', status: 'registered', fields: {} };
}

export function participantValuesOf(participant: Participant): ParticipantFormValues {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(participant.fields)) {
    fields[key] = typeof value === 'boolean' ? (value ? 'true' : '') : value;
  }
  return { email: participant.email, firstName: participant.firstName, lastName: participant.lastName, status: participant.status, fields };
}

/**
 * The submitted form as display values and as domain input. Every field of the event is given a
 * value, because an unticked checkbox or an empty multiple choice is simply absent from the body
 * and must still clear what was stored.
 */
export function readParticipantForm(fields: CustomField[], raw: unknown): { values: ParticipantFormValues; input: ParticipantInput } {
  const body = raw as Body;
  const values: ParticipantFormValues = { email: body.email, firstName: body.first_name, lastName: body.last_name, status: body.status, fields: {} };
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const given = body[`${PREFIX}${field.key}`];
    if (field.type === 'multiple_choice') {
      const list = given === undefined ? [] : Array.isArray(given) ? given : [given];
      values.fields[field.key] = list;
      input[field.key] = list;
    } else {
      values.fields[field.key] = Array.isArray(given) ? (given[0] ?? '') : (given ?? '');
      input[field.key] = given ?? '';
    }
  }
  return { values, input: { email: body.email, firstName: body.first_name, lastName: body.last_name, status: body.status, fields: input } };
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

/** Exactly the codes the domain accepts, named in English and sorted by name. */
export const COUNTRIES: ReadonlyArray<{ code: string; name: string }> = LETTERS.flatMap((a) => LETTERS.map((b) => a + b))
  .filter((code) => isCountryCode(code))
  .map((code) => ({ code, name: regionNames.of(code) ?? code }))
  .sort((x, y) => x.name.localeCompare(y.name, 'en'));

export function countryName(code: string): string {
  return COUNTRIES.find((c) => c.code === code)?.name ?? code;
}

function Choices({ field, value }: { field: CustomField; value: string | string[] }) {
  const chosen = Array.isArray(value) ? value : value ? [value] : [];
  // A stored answer whose option was removed since stays visible, so saving does not drop it silently.
  const stale = chosen.filter((v) => !field.options.includes(v));
  const options = [...field.options.map((o) => ({ value: o, label: o })), ...stale.map((v) => ({ value: v, label: `${v} (no longer offered)` }))];
  const name = `${PREFIX}${field.key}`;
  if (field.type === 'single_choice') {
    return (
      <select name={name} required={field.required}>
        <option value="">—</option>
        {options.map((o) => (
          <option value={o.value} selected={chosen.includes(o.value)}>
            {o.label}
          </option>
        ))}
      </select>
    );
  }
  return (
    <span class="choices">
      {options.map((o) => (
        <label class="choice">
          <input type="checkbox" name={name} value={o.value} checked={chosen.includes(o.value)} /> {o.label}
        </label>
      ))}
    </span>
  );
}

function CustomInput({ field, value, bad }: { field: CustomField; value: string | string[]; bad?: 'true' | undefined }) {
  const name = `${PREFIX}${field.key}`;
  const text = Array.isArray(value) ? value.join(', ') : value;
  const required = field.required;
  switch (field.type) {
    case 'long_text':
      return (
        <textarea name={name} rows={4} maxLength={5000} required={required} aria-invalid={bad}>
          {text}
        </textarea>
      );
    case 'email':
      return <input type="email" name={name} value={text} maxLength={254} required={required} aria-invalid={bad} />;
    case 'phone':
      return <input type="tel" name={name} value={text} maxLength={40} required={required} aria-invalid={bad} />;
    case 'date':
      return <input type="date" name={name} value={text} required={required} aria-invalid={bad} />;
    case 'country':
      return (
        <select name={name} required={required} aria-invalid={bad}>
          <option value="">—</option>
          {COUNTRIES.map((c) => (
            <option value={c.code} selected={c.code === text.toUpperCase()}>
              {c.name}
            </option>
          ))}
        </select>
      );
    case 'single_choice':
    case 'multiple_choice':
      return <Choices field={field} value={value} />;
    default:
      return <input name={name} value={text} maxLength={500} required={required} aria-invalid={bad} />;
  }
}

export function CustomFieldRow({ field, value, errors }: { field: CustomField; value: string | string[]; errors: FormErrors }) {
  const label = `${field.label}${field.required ? ' *' : ''}`;
  if (field.type === 'checkbox') {
    const checked = typeof value === 'string' && ['true', 'on', 'yes', '1'].includes(value.toLowerCase());
    return (
      <label class="check">
        <input type="checkbox" name={`${PREFIX}${field.key}`} value="true" checked={checked} required={field.required} /> {label}
        <FieldError errors={errors} name={field.key} />
      </label>
    );
  }
  // A group of checkboxes is a fieldset; a single control can sit inside its label.
  if (field.type === 'multiple_choice') {
    return (
      <fieldset>
        <legend>{label}</legend>
        <CustomInput field={field} value={value} bad={invalid(errors, field.key)} />
        <FieldError errors={errors} name={field.key} />
      </fieldset>
    );
  }
  return (
    <label>
      {label}
      <CustomInput field={field} value={value} bad={invalid(errors, field.key)} />
      <FieldError errors={errors} name={field.key} />
    </label>
  );
}

/**
 * First and last name and the event's custom fields: what the staff form and the attendee's own
 * "Edit my details" share. Browsers may autofill only when the person edits their own details.
 */
export function NameAndFieldInputs({ fields, values, errors, own = false }: { fields: CustomField[]; values: ParticipantFormValues; errors: FormErrors; own?: boolean }) {
  return (
    <>
      <label>
        First name
        <input name="first_name" value={values.firstName} maxLength={100} autocomplete={own ? 'given-name' : 'off'} aria-invalid={invalid(errors, 'first_name')} />
        <FieldError errors={errors} name="first_name" />
      </label>
      <label>
        Last name
        <input name="last_name" value={values.lastName} maxLength={100} autocomplete={own ? 'family-name' : 'off'} aria-invalid={invalid(errors, 'last_name')} />
        <FieldError errors={errors} name="last_name" />
      </label>
      {fields.map((field) => (
        <CustomFieldRow field={field} value={values.fields[field.key] ?? ''} errors={errors} />
      ))}
    </>
  );
}

export interface ParticipantFormProps {
  action: string;
  csrf: string;
  fields: CustomField[];
  values: ParticipantFormValues;
  errors: FormErrors;
  submit: string;
  cancel: string;
}

/** One form for adding and editing, built from the event's custom fields. */
export function ParticipantForm({ action, csrf, fields, values, errors, submit, cancel }: ParticipantFormProps) {
  return (
    <form method="post" action={action} class="card">
      <ErrorSummary errors={errors} />
      <CsrfField csrf={csrf} />
      <div class="grid2">
        <label>
          Email *
          <input type="email" name="email" value={values.email} required maxLength={254} autocomplete="off" aria-invalid={invalid(errors, 'email')} />
          <FieldError errors={errors} name="email" />
        </label>
        <StatusSelect statuses={PARTICIPANT_STATUSES} value={values.status} errors={errors} />
        <NameAndFieldInputs fields={fields} values={values} errors={errors} />
      </div>
      <button type="submit">{submit}</button> <a href={cancel}>Cancel</a>
    </form>
  );
}
