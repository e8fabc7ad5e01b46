import type { LeadCardsTable } from '../../db/database.js';
import type { CustomField } from '../custom-fields/index.js';
import type { Participant } from '../participants/index.js';
import type { Card, CardSettings } from './lead.types.js';

// Conservative by default: a card nobody configured carries the name and the company, the
// least a business card says. Email, phone and everything else only once the owner ticks them.
const COMPANY_KEY = /^(company|company_name|organi[sz]ation|organi[sz]ation_name|employer)$/;
const COMPANY_LABEL = /^(company|organi[sz]ation|employer)( name)?$/i;

function companyLike(field: CustomField): boolean {
  return (field.type === 'text' || field.type === 'single_choice') && (COMPANY_KEY.test(field.key) || COMPANY_LABEL.test(field.label.trim()));
}

export function defaultSettings(fields: readonly CustomField[]): CardSettings {
  return { email: false, fields: fields.filter(companyLike).map((f) => f.key), saved: false };
}

/** Stored settings, limited to the fields the event still has (a deleted field shares nothing). */
export function settingsFromRow(row: LeadCardsTable | undefined, fields: readonly CustomField[]): CardSettings {
  if (!row) return defaultSettings(fields);
  const stored = new Set(parseKeys(row.share_fields));
  return { email: row.share_email === 1, fields: fields.filter((f) => stored.has(f.key)).map((f) => f.key), saved: true };
}

function parseKeys(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export function displayName(p: Pick<Participant, 'firstName' | 'lastName'>): string {
  return [p.firstName, p.lastName].filter(Boolean).join(' ');
}

/**
 * The one place a card is cut from a participant: the name, then only what the settings share,
 * then only non-empty values. Everything another attendee ever sees of someone goes through here.
 */
export function cardOf(participant: Participant, settings: CardSettings, fields: readonly CustomField[]): Card {
  const shared = new Set(settings.fields);
  const card: Card = { name: displayName(participant) || '(no name)', email: settings.email ? participant.email : null, fields: [] };
  for (const field of fields) {
    if (!shared.has(field.key)) continue;
    const value = participant.fields[field.key];
    if (value === undefined || value === '' || value === false || (Array.isArray(value) && value.length === 0)) continue;
    card.fields.push({ key: field.key, label: field.label, type: field.type, value });
  }
  return card;
}
