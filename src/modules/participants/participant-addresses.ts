import type { Db, Dialect } from '../../db/database.js';
import { DomainError } from '../../lib/errors.js';
import { decodeCursor, encodeCursor, filters, type Where } from './participant.repository.js';
import type { ParticipantQuery } from './participant.types.js';

/** What a mailing needs of a participant, and nothing more. */
export interface ParticipantAddress {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface ParticipantAddressPage {
  items: ParticipantAddress[];
  nextCursor: string | null;
}

/**
 * The participants matching the list's filters (search, statuses, custom fields), in creation
 * order, a keyset page at a time, with only their address and name. A campaign reads its whole
 * audience this way: four narrow columns instead of whole rows (custom field JSON, search text)
 * made reading 100,000 recipients several times faster, on PostgreSQL above all.
 */
export async function listParticipantAddresses(
  db: Db,
  dialect: Dialect,
  orgId: string,
  eventId: string,
  query: Pick<ParticipantQuery, 'q' | 'statuses' | 'fields' | 'cursor' | 'limit'>,
): Promise<ParticipantAddressPage> {
  const limit = Math.min(Math.max(query.limit ?? 1000, 1), 5000);
  const after = query.cursor ? decodeCursor(query.cursor, 2) : null;
  if (query.cursor && !after) throw new DomainError('validation_failed', 'The page cursor is not valid', [{ path: '/cursor', message: 'invalid cursor' }]);
  const where = filters(dialect, orgId, eventId, query);
  const matches: Where = (eb) => eb.and(where.map((w) => w(eb)));
  // On the (event_id, created_at, id) index: one range scan per page, at any depth.
  let select = db.selectFrom('participants').select(['id', 'email', 'first_name', 'last_name', 'created_at']).where(matches);
  if (after) select = select.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after[0]!, after[1]!)));
  const rows = await select.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ id: r.id, email: r.email, firstName: r.first_name, lastName: r.last_name })),
    nextCursor: rows.length > limit && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}
