import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { ID_REGEX_SOURCE } from '../../lib/ids.js';
import { getEvent, type Event } from '../events/index.js';
import { eventPublicKey, revokedQrs, type QrRevocation } from '../qr-codes/index.js';
import type { EventSession, ScanPerson } from './checkin.types.js';
import { findBundlePeople } from './checkin.repository.js';
import { listSessions } from './session.service.js';

/**
 * Changes are found by their write time, and a transaction may commit a little after the time it
 * wrote: each sweep starts this far back, so a late commit is sent on the next sync. Devices
 * merge by id, so what they get twice costs nothing.
 */
export const SYNC_OVERLAP_MS = 2 * 60_000;
export const BUNDLE_PAGE_MAX = 5000;

export interface BundlePerson extends ScanPerson {
  /** The current version of their code: a lower one is revoked. */
  qrVersion: number;
}

export interface OfflineBundle {
  event: Pick<Event, 'id' | 'name' | 'timeZone' | 'startsAt' | 'endsAt'>;
  key: { keyId: string; publicKey: string };
  sessions: EventSession[];
  /** Everyone changed since the cursor (everyone on the first sync), minimal data only. */
  people: BundlePerson[];
  /** Revocation list entries since the cursor; keep the latest per participant. */
  revocations: QrRevocation[];
  /** Pass back for the next page or, once `more` is false, for the next incremental sync. */
  cursor: string;
  more: boolean;
  generatedAt: string;
}

/** s: changed since (''= everything), a: last id of the sweep so far, n: where the next sweep starts, r: the QR module's cursor. */
interface SyncCursor {
  s: string;
  a: string;
  n: string;
  r: string;
}

const ID = new RegExp(ID_REGEX_SOURCE);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function badCursor(): DomainError {
  return new DomainError('validation_failed', 'The sync cursor is not valid: start again without one', [{ path: '/cursor', message: 'invalid cursor' }]);
}

function readCursor(text: string | undefined): SyncCursor {
  if (!text) return { s: '', a: '', n: '', r: '' };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const c = value as Partial<SyncCursor> | null;
  if (!c || typeof c !== 'object') throw badCursor();
  const ok =
    typeof c.s === 'string' && (c.s === '' || ISO.test(c.s)) &&
    typeof c.a === 'string' && (c.a === '' || ID.test(c.a)) &&
    typeof c.n === 'string' && (c.n === '' || ISO.test(c.n)) &&
    typeof c.r === 'string' && c.r.length <= 60;
  if (!ok) throw badCursor();
  return c as SyncCursor;
}

function writeCursor(c: SyncCursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

/**
 * What a scanner device needs to keep checking people in without network: the event's public
 * key, the sessions, the people (name, status, code version, attention note: no email, no
 * fields) and the revocation list. The first call (no cursor) sends everyone; later calls with
 * the returned cursor send only what changed.
 */
export async function offlineBundle(db: Db, ctx: Ctx, orgId: string, eventId: string, options: { cursor?: string | undefined; limit?: number | undefined } = {}): Promise<OfflineBundle> {
  const event = await getEvent(db, orgId, eventId);
  const cursor = readCursor(options.cursor);
  const limit = Math.min(Math.max(options.limit ?? 1000, 1), BUNDLE_PAGE_MAX);
  const now = ctx.clock.now();
  // A new sweep fixes where the one after it will start, before reading anything.
  const nextSince = cursor.a === '' ? new Date(now.getTime() - SYNC_OVERLAP_MS).toISOString() : cursor.n;
  const rows = await findBundlePeople(db, orgId, eventId, { since: cursor.s, after: cursor.a, limit: limit + 1 });
  const people = rows.slice(0, limit);
  const morePeople = rows.length > limit;
  const revocations = await revokedQrs(db, orgId, eventId, cursor.r || undefined, limit);
  const next: SyncCursor = morePeople
    ? { s: cursor.s, a: people[people.length - 1]!.id, n: nextSince, r: revocations.cursor }
    : { s: nextSince, a: '', n: '', r: revocations.cursor };
  return {
    event: { id: event.id, name: event.name, timeZone: event.timeZone, startsAt: event.startsAt, endsAt: event.endsAt },
    key: await eventPublicKey(db, ctx, ctx.keys, orgId, eventId),
    sessions: await listSessions(db, orgId, eventId),
    people,
    revocations: revocations.entries,
    cursor: writeCursor(next),
    more: morePeople || revocations.more,
    generatedAt: now.toISOString(),
  };
}
