import type { Readable } from 'node:stream';
import type { Db, Dialect } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../audit/index.js';
import { listCustomFields, type CustomField, type FieldValue } from '../custom-fields/index.js';
import { getParticipant, listParticipants, type Participant, type ParticipantQuery } from '../participants/index.js';
import { qrTextFor } from '../qr-codes/index.js';
import { badgeLayoutFor, checkBadgeLayout } from './badge-layout.service.js';
import { badgePdfStream, type BadgeContent, type BadgeLine } from './badge-pdf.js';
import type { BadgeLayout, BadgeLayoutInput } from './badge.types.js';

const PAGE = 200;
// A first QR code costs several sequential queries (participant, row, key, insert, read back): on
// PostgreSQL their round trips, not the CPU, set the pace, so a page's codes are fetched a few at
// a time over the pool. On SQLite (one synchronous connection) this changes nothing.
const QR_CONCURRENCY = 6;

async function inParallel<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

function valueText(field: CustomField, value: FieldValue | undefined): string {
  if (value === undefined) return '';
  // A ticked checkbox prints its label ("Speaker", "Press"); an unticked one prints nothing.
  if (typeof value === 'boolean') return value ? field.label : '';
  return Array.isArray(value) ? value.join(', ') : value;
}

type Person = Pick<Participant, 'firstName' | 'lastName' | 'fields'>;

/** The layout's lines for one person, in the layout's order; empty values are skipped when drawn. */
export function badgeLines(layout: BadgeLayout, person: Person, customFields: CustomField[]): BadgeLine[] {
  const byKey = new Map(customFields.map((f) => [`field:${f.key}`, f]));
  return layout.fields.map((field) => {
    let text = '';
    if (field.source === 'first_name') text = person.firstName;
    else if (field.source === 'last_name') text = person.lastName;
    else if (field.source === 'full_name') text = [person.firstName, person.lastName].filter(Boolean).join(' ');
    else {
      const custom = byKey.get(field.source);
      if (custom) text = valueText(custom, person.fields[custom.key]);
    }
    return { text, size: field.size, bold: field.bold };
  });
}

function filtersOf(query: ParticipantQuery) {
  return { q: query.q ?? null, statuses: query.statuses ?? [], fields: query.fields ?? {} };
}

/** Only registered participants get a badge: the list's filter narrowed to them (empty if it excludes them). */
function registeredOnly(query: ParticipantQuery): ParticipantQuery | null {
  if (query.statuses && query.statuses.length > 0 && !query.statuses.includes('registered')) return null;
  return { ...query, statuses: ['registered'], cursor: undefined, limit: PAGE };
}

export interface BadgeCounts {
  /** Participants matching the list's filters, whatever their status. */
  matching: number;
  /** Those of them who get a badge. */
  printable: number;
}

export async function badgeCounts(db: Db, dialect: Dialect, orgId: string, eventId: string, query: ParticipantQuery): Promise<BadgeCounts> {
  const all = await listParticipants(db, dialect, orgId, eventId, { ...query, cursor: undefined, limit: 1 });
  const registered = registeredOnly(query);
  const printable = registered ? (await listParticipants(db, dialect, orgId, eventId, { ...registered, limit: 1 })).total : 0;
  return { matching: all.total, printable };
}

export interface BadgeDownload {
  layout: BadgeLayout;
  count: number;
  skipped: number;
  stream: Readable;
}

/**
 * One participant's badge. The QR code on it is their check-in credential, so the download is
 * audited on the participant, and refused for anyone not registered (imported, invited, declined
 * or cancelled people have no admission to print).
 */
export async function participantBadgePdf(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  participantId: string,
  layoutId: string | null,
): Promise<BadgeDownload> {
  const participant = await getParticipant(db, orgId, eventId, participantId);
  if (participant.status !== 'registered') throw new DomainError('not_registered', 'Only registered participants get a badge');
  const layout = await badgeLayoutFor(db, orgId, eventId, layoutId);
  const customFields = await listCustomFields(db, orgId, eventId);
  const qrText = await qrTextFor(db, ctx, ctx.keys, orgId, eventId, participant.id);
  await audit(db, ctx, actor, {
    orgId,
    action: 'badges.downloaded',
    target: { type: 'participant', id: participant.id },
    data: { eventId, layoutId: layout.id, layout: layout.name, count: 1 },
  });
  async function* one(): AsyncGenerator<BadgeContent> {
    yield { lines: badgeLines(layout, participant, customFields), qrText };
  }
  return { layout, count: 1, skipped: 0, stream: badgePdfStream(layout, one(), 'Badge') };
}

/**
 * Badges for a filtered list, in the list's order, one page each. Participants of the list who are
 * not registered are skipped (and counted in the audit entry); a list with nobody registered is
 * refused before anything is streamed. Read a page of 200 at a time, each page only once the
 * client has taken the previous badges, so memory stays flat at any size. Participants who never
 * had a QR code get one now (the QR codes module makes it on first use).
 */
export async function bulkBadgePdf(
  db: Db,
  dialect: Dialect,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  query: ParticipantQuery,
  layoutId: string | null,
): Promise<BadgeDownload> {
  const layout = await badgeLayoutFor(db, orgId, eventId, layoutId);
  const customFields = await listCustomFields(db, orgId, eventId);
  const counts = await badgeCounts(db, dialect, orgId, eventId, query);
  const registered = registeredOnly(query);
  if (!registered || counts.printable === 0) throw new DomainError('not_registered', 'No registered participant matches this list: only registered participants get a badge');
  await audit(db, ctx, actor, {
    orgId,
    action: 'badges.downloaded',
    target: { type: 'event', id: eventId },
    data: { layoutId: layout.id, layout: layout.name, count: counts.printable, skipped: counts.matching - counts.printable, filters: filtersOf(query) },
  });
  async function* badges(): AsyncGenerator<BadgeContent> {
    let cursor: string | undefined;
    do {
      const page = await listParticipants(db, dialect, orgId, eventId, { ...registered!, cursor, withTotal: false });
      const qrTexts = await inParallel(page.items, QR_CONCURRENCY, (p) => qrTextFor(db, ctx, ctx.keys, orgId, eventId, p.id));
      for (const [index, participant] of page.items.entries()) {
        yield { lines: badgeLines(layout, participant, customFields), qrText: qrTexts[index]! };
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return { layout, count: counts.printable, skipped: counts.matching - counts.printable, stream: badgePdfStream(layout, badges(), 'Badges') };
}

// Looks like a real code (same length, same alphabet) so the preview shows the true QR size, but
// carries no signature: a sample badge never holds anyone's credential.
const SAMPLE_QR = `TQ1:SAMPLE-BADGE-NOT-A-CREDENTIAL:${'0123456789ABCDEFGHJKMNPQRSTVWXYZ'.repeat(4)}`;

function sampleValue(field: CustomField): FieldValue {
  if (field.type === 'checkbox') return true;
  if (field.type === 'single_choice' || field.type === 'multiple_choice') return field.options[0] ?? field.label;
  if (field.key === 'company' || field.key === 'organisation' || field.key === 'organization') return 'Analytical Engines Ltd';
  return field.label;
}

/** A one-page preview of a layout as typed in the editor (saved or not), with made-up data. */
export async function sampleBadgePdf(db: Db, orgId: string, eventId: string, input: BadgeLayoutInput): Promise<Readable> {
  const customFields = await listCustomFields(db, orgId, eventId);
  const value = checkBadgeLayout(input, customFields);
  const layout: BadgeLayout = { ...value, id: null, eventId, createdAt: null, updatedAt: null };
  const person: Person = { firstName: 'Ada', lastName: 'Lovelace', fields: Object.fromEntries(customFields.map((f) => [f.key, sampleValue(f)])) };
  async function* one(): AsyncGenerator<BadgeContent> {
    yield { lines: badgeLines(layout, person, customFields), qrText: SAMPLE_QR };
  }
  return badgePdfStream(layout, one(), 'Sample badge');
}
