import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Db, Dialect } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { neutraliseCell } from '../../lib/csv-safety.js';
import { redactTokens } from '../../lib/tokens.js';
import { audit } from '../audit/index.js';
import { listCustomFields, type FieldValue } from '../custom-fields/index.js';
import { listParticipants, type Participant, type ParticipantQuery } from '../participants/index.js';

const PAGE = 500;

/**
 * Every cell leaves through here: formula-looking text is neutralised, and a Tessera credential
 * pasted into a free-text field is redacted (exports never carry live links).
 */
export function safeCell(value: string): string {
  return neutraliseCell(redactTokens(value));
}

/** A CSV byte stream from rows, with a BOM so spreadsheet programs read UTF-8 as UTF-8. */
export function csvStream(rows: AsyncIterable<string[]>): Readable {
  const stringifier = stringify({ bom: true, record_delimiter: 'windows' });
  pipeline(Readable.from(rows), stringifier, () => {
    // Errors destroy the stringifier, which aborts the response; nothing else to do here.
  });
  return stringifier;
}

function cellOf(value: FieldValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return Array.isArray(value) ? value.join('|') : value;
}

export interface ParticipantExport {
  total: number;
  stream: Readable;
}

/**
 * Streams the participants matching the list filters as CSV, one keyset page at a time, so memory
 * stays flat at any size. The first page is read before answering so a bad filter or cursor is
 * still a proper error, and the export is audited with its filters and size.
 */
export async function exportParticipants(
  db: Db,
  dialect: Dialect,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  query: ParticipantQuery,
): Promise<ParticipantExport> {
  const fields = await listCustomFields(db, orgId, eventId);
  const base: ParticipantQuery = { ...query, cursor: undefined, limit: PAGE };
  const first = await listParticipants(db, dialect, orgId, eventId, base);
  await audit(db, ctx, actor, {
    orgId,
    action: 'participants.exported',
    target: { type: 'event', id: eventId },
    data: { rows: first.total, filters: { q: query.q ?? null, statuses: query.statuses ?? [], fields: query.fields ?? {} } },
  });
  const row = (p: Participant) => [p.email, p.firstName, p.lastName, p.status, p.createdAt, ...fields.map((f) => cellOf(p.fields[f.key]))].map(safeCell);
  async function* rows(): AsyncGenerator<string[]> {
    yield ['email', 'first_name', 'last_name', 'status', 'created_at', ...fields.map((f) => f.key)];
    let page = first;
    for (;;) {
      for (const participant of page.items) yield row(participant);
      if (!page.nextCursor) return;
      page = await listParticipants(db, dialect, orgId, eventId, { ...base, cursor: page.nextCursor, withTotal: false });
    }
  }
  return { total: first.total, stream: csvStream(rows()) };
}
