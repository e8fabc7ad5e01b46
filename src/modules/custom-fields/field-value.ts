import isISO31661Alpha2Module from 'validator/lib/isISO31661Alpha2.js';
import { canonicalEmail } from '../../lib/email.js';
import { MAX_LENGTH, type CustomField, type FieldValue } from './custom-field.types.js';

/** An officially assigned ISO 3166-1 alpha-2 code, upper case. */
export const isCountryCode: (code: string) => boolean = isISO31661Alpha2Module.default;

export type FieldCheck = { ok: true; value: FieldValue | null } | { ok: false; reason: string };

const TRUE = new Set(['true', 'yes', 'y', '1', 'on', 'x', 'oui', 'ja']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off', '', 'non', 'nein']);
// In CSV cells several choices are separated by "|" (commas and semicolons are CSV separators).
const CHOICE_SEPARATOR = '|';

function isEmpty(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '') || (Array.isArray(raw) && raw.length === 0);
}

/**
 * Validates one value for one field and returns it normalised. Used by forms, CSV import and the
 * API alike, so the three accept exactly the same data. `null` means "no value".
 */
export function checkFieldValue(field: CustomField, raw: unknown): FieldCheck {
  if (field.type === 'checkbox') {
    if (typeof raw === 'boolean') return { ok: true, value: raw };
    const text = isEmpty(raw) ? '' : String(raw).trim().toLowerCase();
    if (TRUE.has(text)) return { ok: true, value: true };
    if (FALSE.has(text)) {
      return field.required ? { ok: false, reason: `${field.label} must be checked` } : { ok: true, value: false };
    }
    return { ok: false, reason: `${field.label}: "${String(raw).slice(0, 40)}" is not yes or no` };
  }
  if (isEmpty(raw)) return field.required ? { ok: false, reason: `${field.label} is required` } : { ok: true, value: null };
  if (field.type === 'multiple_choice') {
    const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(CHOICE_SEPARATOR);
    const values = [...new Set(list.map((v) => v.trim()).filter(Boolean))];
    const unknown = values.find((v) => !field.options.includes(v));
    if (unknown !== undefined) return { ok: false, reason: `${field.label}: unknown choice "${unknown.slice(0, 60)}"` };
    return { ok: true, value: values };
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') return { ok: false, reason: `${field.label} must be text` };
  const text = String(raw).trim();
  if (text.length > MAX_LENGTH[field.type]) {
    return { ok: false, reason: `${field.label} is too long (at most ${MAX_LENGTH[field.type]} characters)` };
  }
  switch (field.type) {
    case 'email': {
      const email = canonicalEmail(text);
      return email ? { ok: true, value: email.email } : { ok: false, reason: `${field.label}: invalid email address` };
    }
    case 'phone':
      return /^\+?[0-9 ().-]{4,39}$/.test(text) && /\d{4,}/.test(text.replace(/\D/g, ''))
        ? { ok: true, value: text }
        : { ok: false, reason: `${field.label}: invalid phone number` };
    case 'country': {
      const code = text.toUpperCase();
      return isCountryCode(code) ? { ok: true, value: code } : { ok: false, reason: `${field.label}: use a two-letter country code such as FR` };
    }
    case 'date':
      return isCalendarDate(text)
        ? { ok: true, value: text }
        : { ok: false, reason: `${field.label}: wrong date "${text.slice(0, 20)}" (use YYYY-MM-DD)` };
    case 'single_choice':
      return field.options.includes(text) ? { ok: true, value: text } : { ok: false, reason: `${field.label}: unknown choice "${text.slice(0, 60)}"` };
    default:
      return { ok: true, value: text };
  }
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DD` naming a day that exists (what validator.isDate checks, without its per-call cost). */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** Text that a list search should find (choice and text values; not booleans). */
export function searchableValue(value: FieldValue): string {
  if (typeof value === 'boolean') return '';
  return Array.isArray(value) ? value.join(' ') : value;
}
