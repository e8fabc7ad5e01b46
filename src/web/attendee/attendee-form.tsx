import { Type } from '@sinclair/typebox';
import type { ComponentChildren } from 'preact';
import type { CustomField, FieldValue } from '../../modules/custom-fields/index.js';
import type { FormSubmission } from '../../modules/forms/index.js';
import type { Participant } from '../../modules/participants/index.js';
import { CsrfField } from '../layout.js';
import { ErrorSummary, FieldError, invalid, type FormErrors } from '../backoffice/event-ui.js';
import { CustomFieldRow, PREFIX } from '../backoffice/participant-form.js';

/**
 * Attendee form bodies are read loosely: only the names a form expects are looked at, so a
 * crafted `email` or `participant_id` in the body is simply ignored (who the person is comes
 * from their session, never from what they post).
 */
export const AttendeeFormBody = Type.Record(Type.String({ maxLength: 60 }), Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 300 })]), {
  maxProperties: 300,
});

/** What the form shows: what the person typed, or (signed in to the app) what is on file. */
export interface AttendeeFormValues {
  email: string;
  firstName: string;
  lastName: string;
  newEmail: string;
  fields: Record<string, string | string[]>;
}

export function blankValues(): AttendeeFormValues {
  return { email: '', firstName: '', lastName: '', newEmail: '', fields: {} };
}

function shown(value: FieldValue | undefined): string | string[] {
  if (value === undefined) return '';
  return typeof value === 'boolean' ? (value ? 'true' : '') : value;
}

/** The participant's data as form values: only ever for the participant signed in to the app. */
export function valuesOfParticipant(participant: Participant): AttendeeFormValues {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(participant.fields)) fields[key] = shown(value);
  return { email: participant.email, firstName: participant.firstName, lastName: participant.lastName, newEmail: '', fields };
}

function text(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';
}

/** The submitted form, as values to show again on error and as what the domain checks. */
export function readAttendeeForm(fields: CustomField[], raw: unknown): { values: AttendeeFormValues; submission: FormSubmission & { email: string } } {
  const body = (raw ?? {}) as Record<string, unknown>;
  const values: AttendeeFormValues = { email: text(body, 'email'), firstName: text(body, 'first_name'), lastName: text(body, 'last_name'), newEmail: text(body, 'new_email'), fields: {} };
  for (const field of fields) {
    const given = body[`${PREFIX}${field.key}`];
    if (field.type === 'multiple_choice') {
      values.fields[field.key] = Array.isArray(given) ? given.filter((v): v is string => typeof v === 'string') : typeof given === 'string' ? [given] : [];
    } else {
      values.fields[field.key] = text(body, `${PREFIX}${field.key}`);
    }
  }
  const submission = { email: values.email, firstName: values.firstName, lastName: values.lastName, newEmail: values.newEmail, fields: values.fields };
  return { values, submission };
}

export interface AttendeeFormProps {
  action: string;
  csrf: string;
  fields: CustomField[];
  values: AttendeeFormValues;
  errors: FormErrors;
  /** The registration form asks for the name. */
  withNames: boolean;
  /** The public page asks for the address; a secure-link form never does (the link says who). */
  withEmail: boolean;
  /** The form lets the person replace their address (confirmed from the new one). */
  emailChange: boolean;
  submit: string;
  /** A staff preview shows the form but cannot send it. */
  readOnly?: boolean;
  /**
   * Opened by a secure link, so shown empty: a field left empty keeps the stored value, and the
   * browser must not insist on it (the server still refuses a required field that has none).
   */
  keepsStored?: boolean;
  children?: ComponentChildren;
}

function TextRow(props: { name: string; label: string; value: string; errors: FormErrors; type?: string; required?: boolean; hint?: string; autocomplete?: string }) {
  return (
    <label>
      {props.label}
      {props.required ? ' *' : ''}
      {props.hint && <span class="muted"> ({props.hint})</span>}
      <input
        type={props.type ?? 'text'}
        name={props.name}
        value={props.value}
        maxLength={props.type === 'email' ? 254 : 100}
        required={props.required}
        autocomplete={props.autocomplete}
        aria-invalid={invalid(props.errors, props.name)}
      />
      <FieldError errors={props.errors} name={props.name} />
    </label>
  );
}

/** A registration or update form built from the event's custom fields. */
export function AttendeeForm(props: AttendeeFormProps) {
  const { values, errors } = props;
  const required = !props.keepsStored;
  return (
    <form method="post" action={props.action} class="card">
      <ErrorSummary errors={errors} />
      <CsrfField csrf={props.csrf} />
      {props.children}
      <div class="grid2">
        {props.withEmail && <TextRow name="email" label="Email" type="email" value={values.email} errors={errors} required autocomplete="email" />}
        {props.withNames && <TextRow name="first_name" label="First name" value={values.firstName} errors={errors} required={required} autocomplete="given-name" />}
        {props.withNames && <TextRow name="last_name" label="Last name" value={values.lastName} errors={errors} required={required} autocomplete="family-name" />}
        {props.fields.map((field) => (
          <CustomFieldRow field={required ? field : { ...field, required: false }} value={values.fields[field.key] ?? ''} errors={errors} />
        ))}
        {props.emailChange && (
          <TextRow name="new_email" label="New email address" type="email" value={values.newEmail} errors={errors} hint="only to change it: we will send a link to confirm it" autocomplete="email" />
        )}
      </div>
      <button type="submit" disabled={props.readOnly}>
        {props.submit}
      </button>
    </form>
  );
}
