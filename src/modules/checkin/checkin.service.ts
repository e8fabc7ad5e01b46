import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { getEvent } from '../events/index.js';
import {
  claimNonce,
  findAdmission,
  findCheckinByNonce,
  findConflictKind,
  findScanPerson,
  insertConflict,
  setCheckinResult,
  tryAdmit,
  type CheckinRow,
} from './checkin.repository.js';
import { ENTRANCE, type CheckInConflictKind, type CheckInOutcome, type CheckInResult, type OfflineScanInput, type OfflineScanOutcome, type ScanInput } from './checkin.types.js';
import { judgeCode, normaliseCode } from './qr-verdict.js';
import { getSession } from './session.service.js';

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const NONCE = /^[A-Za-z0-9._:-]{8,64}$/;

function checkScanInput(input: ScanInput): void {
  if (!DEVICE_ID.test(input.deviceId)) throw new DomainError('validation_failed', 'device id: 1 to 64 of A-Z a-z 0-9 . _ : -', [{ path: '/deviceId', message: 'Invalid device id' }]);
  if (!NONCE.test(input.nonce)) throw new DomainError('validation_failed', 'nonce: 8 to 64 of A-Z a-z 0-9 . _ : -', [{ path: '/nonce', message: 'Invalid nonce' }]);
}

function deviceTime(value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new DomainError('validation_failed', 'scanned_at is not a date and time', [{ path: '/scannedAt', message: 'Not a date and time' }]);
  return at.toISOString();
}

async function replay(db: Db, orgId: string, eventId: string, row: CheckinRow): Promise<CheckInOutcome> {
  // A nonce belongs to its first scan, whatever this request carries: same answer, nothing new.
  const person = row.participant_id && row.event_id === eventId ? await findScanPerson(db, orgId, eventId, row.participant_id) : null;
  return outcomeOf(row, person, true);
}

function outcomeOf(row: CheckinRow, person: CheckInOutcome['person'], replayed: boolean): CheckInOutcome {
  return {
    checkinId: row.id,
    result: row.result,
    person: row.result === 'wrong_event' || row.result === 'forged' || row.result === 'unknown' ? null : person,
    sessionId: row.session_id,
    firstAdmittedAt: row.first_admitted_at,
    scannedAt: row.scanned_at,
    recordedAt: row.recorded_at,
    offline: row.offline === 1,
    replayed,
  };
}

interface Scan {
  row: CheckinRow;
  outcome: CheckInOutcome;
  /** Set when the person was let in elsewhere first: the earlier admission. */
  earlier: { checkinId: string } | null;
}

function newScanRow(ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: ScanInput, deviceResult: CheckInResult | null): CheckinRow {
  const now = ctx.clock.now().toISOString();
  return {
    id: newId(ctx.clock, ctx.random),
    org_id: orgId,
    event_id: eventId,
    session_id: input.sessionId,
    participant_id: null,
    device_id: input.deviceId,
    nonce: input.nonce,
    // Until the verdict is written, later in the same transaction.
    result: 'unknown',
    device_result: deviceResult,
    first_admitted_at: null,
    qr_version: null,
    scanned_at: deviceTime(input.scannedAt, now),
    recorded_at: now,
    offline: deviceResult ? 1 : 0,
    actor_type: actor.type,
    actor_id: actor.id,
  };
}

/** Admits the person at the row's point, or says when and by which scan they were admitted first. */
async function admit(trx: Db, row: CheckinRow, personId: string): Promise<{ result: CheckInResult; earlier: Scan['earlier'] }> {
  const point = row.session_id ?? ENTRANCE;
  const admission = { event_id: row.event_id, point, participant_id: personId, org_id: row.org_id, checkin_id: row.id, device_id: row.device_id, admitted_at: row.scanned_at };
  if (await tryAdmit(trx, admission)) return { result: 'admitted', earlier: null };
  const first = await findAdmission(trx, row.event_id, point, personId);
  row.first_admitted_at = first?.admitted_at ?? null;
  return { result: 'already_checked_in', earlier: first ? { checkinId: first.checkin_id } : null };
}

/**
 * The heart of a scan, online or uploaded: claim the nonce, judge the code, and try to admit.
 * Runs inside the caller's transaction; every step is a single statement that the database
 * arbitrates (unique nonce, admission primary key), never a read followed by a write.
 * `deviceResult`: what an offline device showed (null online).
 */
async function scan(trx: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: ScanInput, deviceResult: CheckInResult | null): Promise<Scan> {
  const row = newScanRow(ctx, actor, orgId, eventId, input, deviceResult);
  if (!(await claimNonce(trx, row))) {
    const first = await findCheckinByNonce(trx, orgId, input.deviceId, input.nonce);
    if (!first) throw new DomainError('conflict', 'The scan could not be recorded; try again');
    return { row: first, outcome: await replay(trx, orgId, eventId, first), earlier: null };
  }
  const verdict = await judgeCode(trx, ctx, orgId, eventId, normaliseCode(input.code));
  let result = verdict.result;
  let earlier: Scan['earlier'] = null;
  if (result === 'admitted' && verdict.person) {
    // An offline device that turned someone away did not let them in: nothing to admit.
    if (deviceResult !== null && deviceResult !== 'admitted') result = deviceResult;
    else ({ result, earlier } = await admit(trx, row, verdict.person.id));
  }
  row.result = result;
  row.participant_id = verdict.person?.id ?? null;
  row.qr_version = verdict.version;
  await setCheckinResult(trx, row.id, { result, participant_id: row.participant_id, qr_version: row.qr_version, first_admitted_at: row.first_admitted_at });
  return { row, outcome: outcomeOf(row, verdict.person, false), earlier };
}

async function checkPoint(db: Db, orgId: string, eventId: string, sessionId: string | null): Promise<void> {
  await getEvent(db, orgId, eventId);
  if (sessionId !== null) await getSession(db, orgId, eventId, sessionId);
}

/**
 * Online check-in at the entrance (sessionId null) or a session door. A repeated (device, nonce)
 * returns the first scan's result. Of two devices scanning one code at once, exactly one admits.
 */
export async function checkIn(db: Kysely<Database>, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: ScanInput): Promise<CheckInOutcome> {
  checkScanInput(input);
  await checkPoint(db, orgId, eventId, input.sessionId);
  const done = await db.transaction().execute((trx) => scan(trx, ctx, actor, orgId, eventId, input, null));
  return done.outcome;
}

export const OFFLINE_BATCH_MAX = 500;

/**
 * Scans a device made while offline, uploaded later. Each is recorded with the device's time and
 * verdict, judged again by the server, and admitted if nobody was admitted first. When the
 * server cannot honour an admission the device made (someone else let the person in first, or
 * the code was refused by then), a conflict is recorded for the organiser: never dropped.
 * One transaction per scan: a batch never holds locks on many people at once.
 */
export async function uploadOfflineScans(
  db: Kysely<Database>,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  scans: OfflineScanInput[],
): Promise<OfflineScanOutcome[]> {
  if (scans.length > OFFLINE_BATCH_MAX) throw new DomainError('validation_failed', `At most ${OFFLINE_BATCH_MAX} scans per upload`);
  await getEvent(db, orgId, eventId);
  for (const input of scans) checkScanInput(input);
  const sessions = new Set(scans.map((s) => s.sessionId).filter((id): id is string => id !== null));
  for (const sessionId of sessions) await getSession(db, orgId, eventId, sessionId);
  const out: OfflineScanOutcome[] = [];
  for (const input of scans) {
    out.push(await db.transaction().execute((trx) => recordOffline(trx, ctx, actor, orgId, eventId, input)));
  }
  return out;
}

async function recordOffline(trx: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: OfflineScanInput): Promise<OfflineScanOutcome> {
  const done = await scan(trx, ctx, actor, orgId, eventId, input, input.deviceResult);
  const { row, outcome } = done;
  let conflict: CheckInConflictKind | null = null;
  if (!outcome.replayed && input.deviceResult === 'admitted' && row.result !== 'admitted') {
    conflict = row.result === 'already_checked_in' ? 'double_admission' : 'refused_by_server';
    await insertConflict(trx, {
      id: newId(ctx.clock, ctx.random),
      org_id: orgId,
      event_id: eventId,
      point: row.session_id ?? ENTRANCE,
      participant_id: row.participant_id,
      kind: conflict,
      checkin_id: row.id,
      first_checkin_id: done.earlier?.checkinId ?? null,
      created_at: row.recorded_at,
    });
  } else if (outcome.replayed) {
    conflict = await findConflictKind(trx, row.id);
  }
  return { ...outcome, nonce: input.nonce, conflict };
}
