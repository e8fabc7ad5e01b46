import { canonicalEmail } from '../../lib/email.js';
import { checkFieldValue, type CustomField, type FieldValues } from '../custom-fields/index.js';
import { MAX_NAME_LENGTH, PARTICIPANT_STATUSES, type ParticipantInput, type ParticipantStatus, type ValidParticipant } from './participant.types.js';

export interface Problem {
  field: string;
  reason: string;
}

export type Checked = { ok: true; value: ValidParticipant } | { ok: false; problems: Problem[] };

function name(raw: unknown, label: string, key: string, problems: Problem[]): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string') {
    problems.push({ field: key, reason: `${label} must be text` });
    return '';
  }
  const value = raw.trim();
  if (value.length > MAX_NAME_LENGTH) problems.push({ field: key, reason: `${label} is too long (at most ${MAX_NAME_LENGTH} characters)` });
  return value;
}

/**
 * Validates a participant against the event's custom fields. Shared by forms, import and API so
 * they refuse the same things with the same reasons. With `partial`, absent custom fields are
 * left alone rather than checked for `required`.
 */
export function checkParticipant(fields: CustomField[], input: ParticipantInput, options: { partial?: boolean } = {}): Checked {
  const problems: Problem[] = [];
  const email = canonicalEmail(input.email);
  if (!email) {
    const missing = input.email === undefined || input.email === null || String(input.email).trim() === '';
    problems.push({ field: 'email', reason: missing ? 'Email is missing' : `Invalid email "${String(input.email).slice(0, 80)}"` });
  }
  const firstName = name(input.firstName, 'First name', 'first_name', problems);
  const lastName = name(input.lastName, 'Last name', 'last_name', problems);
  let status: ParticipantStatus | null = null;
  if (input.status !== undefined && input.status !== null && input.status !== '') {
    if (PARTICIPANT_STATUSES.includes(input.status as ParticipantStatus)) status = input.status as ParticipantStatus;
    else problems.push({ field: 'status', reason: `Unknown status "${String(input.status).slice(0, 40)}"` });
  }
  const values: FieldValues = {};
  const given = input.fields ?? {};
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) problems.push({ field: key, reason: `Unknown field "${key.slice(0, 40)}"` });
  }
  for (const field of fields) {
    if (options.partial && !(field.key in given)) continue;
    const check = checkFieldValue(field, given[field.key]);
    if (!check.ok) problems.push({ field: field.key, reason: check.reason });
    else if (check.value !== null) values[field.key] = check.value;
  }
  if (problems.length > 0 || !email) return { ok: false, problems };
  return { ok: true, value: { email, firstName, lastName, status, fields: values } };
}
