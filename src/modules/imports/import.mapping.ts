import { DomainError } from '../../lib/errors.js';
import { searchable } from '../../lib/text.js';
import type { CustomField } from '../custom-fields/index.js';
import type { ParticipantInput } from '../participants/index.js';
import { BUILT_IN_TARGETS, type ColumnTarget } from './import.types.js';

// Header spellings seen in real exports (English, French, German, Spanish), after normalising.
const SYNONYMS: Record<string, ColumnTarget> = {
  email: 'email',
  e_mail: 'email',
  mail: 'email',
  email_address: 'email',
  e_mail_address: 'email',
  courriel: 'email',
  adresse_email: 'email',
  adresse_e_mail: 'email',
  correo: 'email',
  correo_electronico: 'email',
  first_name: 'first_name',
  firstname: 'first_name',
  first: 'first_name',
  given_name: 'first_name',
  forename: 'first_name',
  prenom: 'first_name',
  vorname: 'first_name',
  nombre: 'first_name',
  last_name: 'last_name',
  lastname: 'last_name',
  last: 'last_name',
  surname: 'last_name',
  family_name: 'last_name',
  nom: 'last_name',
  nom_de_famille: 'last_name',
  nachname: 'last_name',
  apellido: 'last_name',
  apellidos: 'last_name',
  status: 'status',
  statut: 'status',
};

function normalise(header: string): string {
  return searchable(header).replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** A first guess at the mapping from header names, field keys and field labels. */
export function guessColumns(headers: string[], fields: CustomField[]): ColumnTarget[] {
  const byName = new Map<string, ColumnTarget>(Object.entries(SYNONYMS));
  for (const field of fields) {
    byName.set(normalise(field.label), `field:${field.key}`);
    byName.set(field.key, `field:${field.key}`);
  }
  const used = new Set<ColumnTarget>();
  return headers.map((header) => {
    const target = byName.get(normalise(header));
    if (!target || used.has(target)) return 'ignore';
    used.add(target);
    return target;
  });
}

export function targetLabel(target: ColumnTarget, fields: CustomField[]): string {
  const labels: Record<string, string> = { ignore: 'Ignore', email: 'Email', first_name: 'First name', last_name: 'Last name', status: 'Status' };
  if (target.startsWith('field:')) return fields.find((f) => `field:${f.key}` === target)?.label ?? target.slice(6);
  return labels[target] ?? target;
}

export function targetsFor(fields: CustomField[]): ColumnTarget[] {
  return ['ignore', ...BUILT_IN_TARGETS, ...fields.map((f) => `field:${f.key}` as const)];
}

/** Refuses a mapping that cannot produce participants: no email column, a target used twice... */
export function checkColumns(columns: string[], headerCount: number, fields: CustomField[]): ColumnTarget[] {
  const allowed = new Set<string>(targetsFor(fields));
  const problems: string[] = [];
  if (columns.length !== headerCount) problems.push(`Choose a target for each of the ${headerCount} columns`);
  const unknown = columns.find((c) => !allowed.has(c));
  if (unknown !== undefined) problems.push(`"${unknown.replace(/^field:/, '').slice(0, 40)}" is not a field of this event (any more)`);
  const email = columns.filter((c) => c === 'email').length;
  if (email !== 1) problems.push(email === 0 ? 'Choose the column that holds the email address' : 'Only one column can be the email');
  const seen = new Set<string>();
  for (const column of columns) {
    if (column !== 'ignore' && seen.has(column)) problems.push(`${targetLabel(column as ColumnTarget, fields)} is chosen for two columns`);
    seen.add(column);
  }
  if (problems.length > 0) {
    throw new DomainError('validation_failed', problems.join('. '), problems.map((message) => ({ path: '/column', message })));
  }
  return columns as ColumnTarget[];
}

// Exports prefix a quote to cells that a spreadsheet would run as a formula; undo that on the way
// back in so a phone number "+33 1..." survives an export/import round trip.
function restoreCell(cell: string): string {
  return cell.length > 1 && cell.charCodeAt(0) === 39 && /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/**
 * Turns one CSV record into participant input. Empty cells are "no value": they are not checked
 * as required and, with the update policy, leave the participant's current value in place.
 */
export function rowInput(columns: readonly ColumnTarget[], cells: readonly string[]): ParticipantInput {
  const input: ParticipantInput = {};
  const fields: Record<string, string> = {};
  for (let i = 0; i < columns.length; i++) {
    const target = columns[i]!;
    if (target === 'ignore') continue;
    const raw = cells[i];
    if (raw === undefined || raw.trim() === '') continue;
    const cell = restoreCell(raw);
    switch (target) {
      case 'email':
        input.email = cell;
        break;
      case 'first_name':
        input.firstName = cell;
        break;
      case 'last_name':
        input.lastName = cell;
        break;
      case 'status':
        input.status = cell.trim().toLowerCase();
        break;
      default:
        fields[target.slice(6)] = cell;
    }
  }
  input.fields = fields;
  return input;
}
