import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import type { CustomField } from '../custom-fields/index.js';
import { checkParticipant, type ValidParticipant } from '../participants/index.js';
import { readCsv } from './csv-reader.js';
import { rowInput } from './import.mapping.js';
import type { ImportMapping, RowError } from './import.types.js';

export type ScannedRow = { ok: true; line: number; value: ValidParticipant } | { ok: false; error: RowError };

function blank(cells: string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}

function hasReplacementChar(cells: string[]): boolean {
  return cells.some((cell) => cell.includes('\uFFFD'));
}

/**
 * Reads the file and validates every data record against the event's fields, in file order, in
 * batches. The same scan feeds the dry run and the import, so both refuse exactly the same rows. A
 * second row with an email already seen (compared case-insensitively) is refused as a duplicate.
 */
export async function* scanRows(path: string, mapping: ImportMapping, fields: CustomField[]): AsyncGenerator<ScannedRow[]> {
  const width = mapping.columns.length;
  const firstLineOf = new Map<string, number>();
  let header = true;
  for await (const records of readCsv(path, mapping.delimiter)) {
    const out: ScannedRow[] = [];
    for (const { line, cells } of records) {
      if (header) {
        header = false;
        if (cells.length !== width) {
          throw new DomainError('import_invalid', `The file has ${cells.length} columns but the mapping has ${width}: choose the columns again.`);
        }
      } else if (!blank(cells)) {
        out.push(checkRow(mapping, fields, firstLineOf, line, cells));
      }
    }
    if (out.length > 0) yield out;
  }
  if (header) throw new DomainError('import_invalid', 'The file is empty.');
}

function checkRow(mapping: ImportMapping, fields: CustomField[], firstLineOf: Map<string, number>, line: number, cells: string[]): ScannedRow {
  const width = mapping.columns.length;
  const reasons: string[] = [];
  if (cells.length > width && !blank(cells.slice(width))) reasons.push(`Has ${cells.length} values but the header has ${width} columns`);
  if (hasReplacementChar(cells)) reasons.push('Contains text that is not UTF-8: save the file as "CSV UTF-8" and upload it again');
  const input = rowInput(mapping.columns, cells);
  const checked = checkParticipant(fields, input, { partial: true });
  const key = checked.ok ? checked.value.email.key : (canonicalEmail(input.email)?.key ?? null);
  if (key !== null) {
    const first = firstLineOf.get(key);
    if (first === undefined) firstLineOf.set(key, line);
    else reasons.push(`Duplicate email: the same address is already on line ${first}`);
  }
  if (!checked.ok) reasons.unshift(...checked.problems.map((p) => p.reason));
  if (checked.ok && reasons.length === 0) return { ok: true, line, value: checked.value };
  const email = typeof input.email === 'string' ? input.email.trim().slice(0, 254) : null;
  return { ok: false, error: { line, email: email || null, reasons } };
}
