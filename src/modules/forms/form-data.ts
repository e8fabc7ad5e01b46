import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import type { CustomField, FieldValue, FieldValues } from '../custom-fields/index.js';
import { checkParticipant, MAX_NAME_LENGTH, type Participant, type Problem } from '../participants/index.js';
import type { FormMode, FormSubmission } from './form.types.js';

function blank(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '') || (Array.isArray(raw) && raw.length === 0);
}

export interface CheckedData {
  email: string;
  firstName: string | undefined;
  lastName: string | undefined;
  /** Every shown field: its new value, or '' to clear it. */
  fields: Record<string, FieldValue | ''>;
}

export interface CheckInput {
  /** The custom fields the form shows. */
  shown: CustomField[];
  submission: FormSubmission;
  /**
   * The address on file, when the form writes into a participant: never one typed into the form.
   * Null on the public page, where the typed address is checked with the rest of the form.
   */
  email: string | null;
  /** The participant's record, when the form writes into one. */
  stored: Participant | null;
  mode: FormMode;
  /** The registration form asks for the name; update forms do not. */
  withNames: boolean;
}

function nameOf(submitted: string | undefined, stored: string | undefined, label: string, key: string, problems: Problem[]): string {
  const typed = (submitted ?? '').trim();
  const value = typed || stored || '';
  if (!value) problems.push({ field: key, reason: `${label} is required` });
  else if (value.length > MAX_NAME_LENGTH) problems.push({ field: key, reason: `${label} is too long (at most ${MAX_NAME_LENGTH} characters)` });
  return value;
}

/**
 * Checks what a form submitted, the way the back-office, imports and the API check it. On a form
 * reached through a secure link nothing was prefilled, so an answer left empty keeps what is on
 * file instead of erasing it (a checkbox is always an answer). Refuses with one message per field.
 */
export function checkFormData(input: CheckInput): CheckedData {
  const { shown, submission, stored, mode } = input;
  const keep = mode === 'link' && stored !== null;
  const problems: Problem[] = [];
  let firstName: string | undefined;
  let lastName: string | undefined;
  if (input.withNames) {
    firstName = nameOf(submission.firstName, keep ? stored.firstName : undefined, 'First name', 'first_name', problems);
    lastName = nameOf(submission.lastName, keep ? stored.lastName : undefined, 'Last name', 'last_name', problems);
  }
  const raw: Record<string, unknown> = {};
  for (const field of shown) {
    const given = submission.fields[field.key];
    raw[field.key] = keep && field.type !== 'checkbox' && blank(given) ? (stored.fields[field.key] ?? '') : (given ?? '');
  }
  const typed = submission.email ?? '';
  let email: string = input.email ?? '';
  if (input.email === null) {
    const canonical = canonicalEmail(typed);
    if (!canonical) problems.unshift({ field: 'email', reason: typed.trim() === '' ? 'Email is required' : 'This is not a valid email address' });
    // Checked apart so a bad address does not hide the other problems of the form.
    email = canonical?.email ?? 'placeholder@example.org';
  }
  const checked = checkParticipant(shown, { email, fields: raw });
  if (!checked.ok) problems.push(...checked.problems);
  if (problems.length > 0 || !checked.ok) {
    throw new DomainError(
      'validation_failed',
      problems.map((p) => p.reason).join('; '),
      problems.map((p) => ({ path: `/${p.field}`, message: p.reason })),
    );
  }
  const values: FieldValues = checked.value.fields;
  const fields: Record<string, FieldValue | ''> = {};
  for (const field of shown) fields[field.key] = values[field.key] ?? '';
  return { email, firstName, lastName, fields };
}
