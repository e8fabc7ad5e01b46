import type { Db } from '../../db/database.js';
import { getEvent } from '../events/index.js';
import { scanPersonOf } from './checkin.repository.js';
import { ENTRANCE, type CheckInConflict, type CheckInResult } from './checkin.types.js';
import { listSessions } from './session.service.js';

export interface PointCount {
  /** null: the entrance. */
  sessionId: string | null;
  label: string;
  admitted: number;
}

export interface CheckInStats {
  bucketMinutes: number;
  points: PointCount[];
  /** Admissions per time bucket (by the scan's time), per point: counts[i] matches points[i]. */
  buckets: Array<{ startsAt: string; counts: number[]; total: number }>;
  /** Every scan by result, refusals included. */
  scans: Partial<Record<CheckInResult, number>>;
  conflicts: number;
}

/**
 * Admissions over time, per entrance and per session. Read from the admissions table (one row
 * per person and point), so a person scanned twice counts once.
 */
export async function checkInStats(db: Db, orgId: string, eventId: string, bucketMinutes = 15): Promise<CheckInStats> {
  await getEvent(db, orgId, eventId);
  const sessions = await listSessions(db, orgId, eventId);
  const points: PointCount[] = [
    { sessionId: null, label: 'Entrance', admitted: 0 },
    ...sessions.map((s) => ({ sessionId: s.id, label: s.room ? `${s.title} (${s.room})` : s.title, admitted: 0 })),
  ];
  const index = new Map(points.map((p, i) => [p.sessionId ?? ENTRANCE, i]));
  const admissions = await db
    .selectFrom('checkin_admissions')
    .select(['point', 'admitted_at'])
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .orderBy('admitted_at')
    .execute();
  const width = bucketMinutes * 60_000;
  const byBucket = new Map<number, number[]>();
  for (const admission of admissions) {
    const i = index.get(admission.point);
    if (i === undefined) continue;
    points[i]!.admitted += 1;
    const start = Math.floor(new Date(admission.admitted_at).getTime() / width) * width;
    let counts = byBucket.get(start);
    if (!counts) byBucket.set(start, (counts = points.map(() => 0)));
    counts[i]! += 1;
  }
  const buckets = [...byBucket.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, counts]) => ({ startsAt: new Date(start).toISOString(), counts, total: counts.reduce((s, n) => s + n, 0) }));
  const results = await db
    .selectFrom('checkins')
    .select(['result', db.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .groupBy('result')
    .execute();
  const scans: CheckInStats['scans'] = {};
  for (const row of results) scans[row.result] = Number(row.n);
  const conflicts = await db
    .selectFrom('checkin_conflicts')
    .select(db.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return { bucketMinutes, points, buckets, scans, conflicts: Number(conflicts?.n ?? 0) };
}

/** Conflicts newest first, with both scans, for the organiser to review. */
export async function listConflicts(db: Db, orgId: string, eventId: string, limit = 200): Promise<CheckInConflict[]> {
  await getEvent(db, orgId, eventId);
  const rows = await db
    .selectFrom('checkin_conflicts as c')
    .innerJoin('checkins as k', 'k.id', 'c.checkin_id')
    .leftJoin('checkins as f', 'f.id', 'c.first_checkin_id')
    .leftJoin('participants as p', 'p.id', 'c.participant_id')
    .leftJoin('attention_notes as n', 'n.participant_id', 'c.participant_id')
    .select([
      'c.id',
      'c.kind',
      'c.point',
      'c.created_at',
      'c.participant_id',
      'p.first_name',
      'p.last_name',
      'p.status',
      'n.note',
      'k.id as k_id',
      'k.device_id as k_device',
      'k.scanned_at as k_scanned',
      'k.device_result as k_device_result',
      'k.result as k_result',
      'f.id as f_id',
      'f.device_id as f_device',
      'f.scanned_at as f_scanned',
      'f.offline as f_offline',
    ])
    .where('c.org_id', '=', orgId)
    .where('c.event_id', '=', eventId)
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    sessionId: row.point === ENTRANCE ? null : row.point,
    createdAt: row.created_at,
    person:
      row.participant_id && row.first_name !== null && row.last_name !== null && row.status !== null
        ? scanPersonOf({ id: row.participant_id, first_name: row.first_name, last_name: row.last_name, status: row.status, note: row.note })
        : null,
    checkin: { id: row.k_id, deviceId: row.k_device, scannedAt: row.k_scanned, deviceResult: row.k_device_result, result: row.k_result },
    first:
      row.f_id && row.f_device && row.f_scanned
        ? { id: row.f_id, deviceId: row.f_device, scannedAt: row.f_scanned, offline: row.f_offline === 1 }
        : null,
  }));
}
