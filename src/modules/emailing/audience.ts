import type { Db, Dialect } from '../../db/database.js';
import { DomainError } from '../../lib/errors.js';
import { isId } from '../../lib/ids.js';
import { listCustomFields } from '../custom-fields/index.js';
import {
  getParticipantsByIds,
  listParticipantAddresses,
  listParticipants,
  PARTICIPANT_STATUSES,
  type ParticipantAddress,
  type ParticipantQuery,
} from '../participants/index.js';
import type { CampaignAudience } from './campaign.types.js';

/** An explicit selection is typed or pasted by a person; larger audiences are filters. */
export const MAX_SELECTED = 10_000;
// Recipients read per query: big pages of narrow rows, few round trips.
const PAGE_SIZE = 2_000;
// getParticipantsByIds looks ids up 500 at a time.
const ID_PAGE_SIZE = 500;

export interface AudienceProblem {
  path: string;
  message: string;
}

/**
 * The audience as stored: known statuses only, ids that are ids, and custom field filters on
 * fields the event has (a key is used in a JSON path, so only the event's own keys get there).
 */
export async function normaliseAudience(db: Db, orgId: string, eventId: string, raw: Partial<CampaignAudience>): Promise<CampaignAudience> {
  const problems: AudienceProblem[] = [];
  const ids = [...new Set((raw.ids ?? []).map((id) => String(id).trim().toLowerCase()).filter(Boolean))];
  const badIds = ids.filter((id) => !isId(id));
  if (badIds.length > 0) problems.push({ path: '/audience/ids', message: `Not participant ids: ${badIds.slice(0, 5).join(', ')}${badIds.length > 5 ? '…' : ''}` });
  if (ids.length > MAX_SELECTED) problems.push({ path: '/audience/ids', message: `Select at most ${MAX_SELECTED.toLocaleString('en')} participants, or use filters` });
  const statuses = [...new Set(raw.statuses ?? [])];
  if (statuses.some((s) => !PARTICIPANT_STATUSES.includes(s))) problems.push({ path: '/audience/statuses', message: 'Unknown participant status' });
  const fields: Record<string, string> = {};
  const keys = new Set((await listCustomFields(db, orgId, eventId)).map((f) => f.key));
  for (const [key, value] of Object.entries(raw.fields ?? {})) {
    if (value === '') continue;
    if (!keys.has(key)) problems.push({ path: '/audience/fields', message: `The event has no custom field "${key.slice(0, 40)}"` });
    else fields[key] = String(value).slice(0, 500);
  }
  const q = String(raw.q ?? '').trim().slice(0, 200);
  if (problems.length > 0) throw new DomainError('validation_failed', problems.map((p) => p.message).join('; '), problems);
  return { ids, statuses, fields, q };
}

function queryOf(audience: CampaignAudience): ParticipantQuery {
  return {
    q: audience.q || undefined,
    statuses: audience.statuses.length > 0 ? audience.statuses : undefined,
    fields: Object.keys(audience.fields).length > 0 ? audience.fields : undefined,
    // Creation order: the one sort that no edit made while the campaign starts can reorder.
    sort: 'created',
    dir: 'asc',
  };
}

async function selected(db: Db, orgId: string, eventId: string, ids: string[]): Promise<ParticipantAddress[]> {
  return (await getParticipantsByIds(db, orgId, ids)).filter((p) => p.eventId === eventId);
}

/** How many participants the audience reaches right now. */
export async function countAudience(db: Db, dialect: Dialect, orgId: string, eventId: string, audience: CampaignAudience): Promise<number> {
  if (audience.ids.length > 0) return (await selected(db, orgId, eventId, audience.ids)).length;
  return (await listParticipants(db, dialect, orgId, eventId, { ...queryOf(audience), limit: 1 })).total;
}

/**
 * The audience in pages (the list's filters, in creation order, keyset cursor): memory stays at
 * one page whatever the size of the event.
 */
export async function* audiencePages(db: Db, dialect: Dialect, orgId: string, eventId: string, audience: CampaignAudience): AsyncGenerator<ParticipantAddress[]> {
  if (audience.ids.length > 0) {
    for (let i = 0; i < audience.ids.length; i += ID_PAGE_SIZE) yield await selected(db, orgId, eventId, audience.ids.slice(i, i + ID_PAGE_SIZE));
    return;
  }
  let cursor: string | undefined;
  do {
    const page = await listParticipantAddresses(db, dialect, orgId, eventId, { ...queryOf(audience), limit: PAGE_SIZE, cursor });
    if (page.items.length > 0) yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
