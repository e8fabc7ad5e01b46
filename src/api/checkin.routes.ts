import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { apiActor } from '../http/actor.js';
import {
  ATTENTION_NOTE_MAX,
  BUNDLE_PAGE_MAX,
  CHECKIN_RESULTS,
  OFFLINE_BATCH_MAX,
  checkIn,
  checkInStats,
  listConflicts,
  offlineBundle,
  setAttentionNote,
  uploadOfflineScans,
  type CheckInConflict,
  type CheckInOutcome,
  type ScanPerson,
} from '../modules/checkin/index.js';
import { orgOf } from './auth.js';
import { EventParams } from './events.routes.js';
import type { Write } from './idempotency.js';
import { ParticipantParams } from './participants.routes.js';
import { Enum, Id, Nullable, Timestamp, errors } from './schemas.js';
import { sessionRoutes } from './sessions.routes.js';

const Result = Enum(CHECKIN_RESULTS, 'admitted, already_checked_in, cancelled, wrong_event, revoked, forged (not a code signed for this organisation: also a lead id), unknown');
const DeviceId = Type.String({ pattern: '^[A-Za-z0-9._:-]{1,64}$', description: 'Stable id of the scanning device (a UUID made once per install is fine)' });
const Nonce = Type.String({
  pattern: '^[A-Za-z0-9._:-]{8,64}$',
  description: 'Unique per scan on this device. Sending it again (a retry after a timeout) returns the first result and records nothing.',
});
const Code = Type.String({ minLength: 1, maxLength: 300, description: 'The QR code text as scanned (TQ1:...)' });
const SessionId = Nullable(Id);

const PersonSchema = Type.Object(
  {
    id: Id,
    display_name: Type.String(),
    status: Type.String({ description: 'Participant status: registered, invited, cancelled...' }),
    attention_note: Nullable(Type.String({ description: 'What the door steward should know' })),
  },
  { description: 'The scanned person: only what the door needs (no email, no fields)' },
);

const CheckInSchema = Type.Object(
  {
    checkin_id: Id,
    result: Result,
    participant: Nullable(PersonSchema),
    session_id: Nullable(Id),
    first_checked_in_at: Nullable(Timestamp),
    scanned_at: Timestamp,
    recorded_at: Timestamp,
    offline: Type.Boolean(),
    replayed: Type.Boolean({ description: 'The nonce had been seen: this is the first scan’s result' }),
  },
  { description: 'The outcome of a scan. Refusals are results, not errors: the answer is 200 either way.' },
);

const CheckInBody = Type.Object(
  {
    code: Code,
    session_id: Type.Optional(SessionId),
    device_id: DeviceId,
    nonce: Nonce,
    scanned_at: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 device time of the scan; the server time when absent' })),
  },
  { additionalProperties: false },
);

const OfflineScan = Type.Object(
  {
    nonce: Nonce,
    code: Code,
    session_id: Type.Optional(SessionId),
    scanned_at: Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 device time of the scan' }),
    result: Result,
  },
  { additionalProperties: false, description: 'One scan made offline: result is what the device showed' },
);

const OfflineUploadBody = Type.Object(
  { device_id: DeviceId, scans: Type.Array(OfflineScan, { minItems: 1, maxItems: OFFLINE_BATCH_MAX }) },
  { additionalProperties: false },
);

const OfflineResultSchema = Type.Object({
  ...CheckInSchema.properties,
  nonce: Type.String(),
  conflict: Nullable(Enum(['double_admission', 'refused_by_server'] as const, 'Recorded for review: the device admitted someone the server could not')),
});

const BundleQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 400, description: 'cursor of the previous answer: only what changed since' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: BUNDLE_PAGE_MAX, default: 1000 })),
  },
  { additionalProperties: false },
);

const BundleSchema = Type.Object(
  {
    event: Type.Object({ id: Id, name: Type.String(), time_zone: Type.String(), starts_at: Timestamp, ends_at: Timestamp }),
    public_key: Type.Object({ key_id: Type.String(), public_key: Type.String({ description: 'Ed25519, base64 SPKI DER: verifies codes offline' }) }),
    sessions: Type.Array(Type.Object({ id: Id, title: Type.String(), room: Nullable(Type.String()), starts_at: Timestamp, ends_at: Timestamp })),
    participants: Type.Array(
      Type.Object({ ...PersonSchema.properties, qr_version: Type.Integer({ description: 'Current version of their code: lower versions are revoked' }) }),
      { description: 'Everyone on the first sync; then only those changed since the cursor. Merge by id.' },
    ),
    revocations: Type.Array(
      Type.Object({ participant_id: Id, min_version: Type.Integer(), cancelled: Type.Boolean() }),
      { description: 'Codes below min_version are refused; all of a cancelled participant’s codes are. Keep the latest entry per participant.' },
    ),
    next_cursor: Type.String({ description: 'Pass back as cursor: the next page while more is true, the next incremental sync after' }),
    more: Type.Boolean(),
    generated_at: Timestamp,
  },
  { description: 'Everything a scanner needs to keep checking people in without network' },
);

const ConflictSchema = Type.Object({
  id: Id,
  kind: Enum(['double_admission', 'refused_by_server'] as const, 'double_admission: another device let the person in first; refused_by_server: the code was refused when uploaded'),
  session_id: Nullable(Id),
  participant: Nullable(PersonSchema),
  created_at: Timestamp,
  scan: Type.Object({ checkin_id: Id, device_id: Type.String(), scanned_at: Timestamp, device_result: Nullable(Result), result: Result }),
  first_admission: Nullable(Type.Object({ checkin_id: Id, device_id: Type.String(), scanned_at: Timestamp, offline: Type.Boolean() })),
});

const StatsSchema = Type.Object({
  bucket_minutes: Type.Integer(),
  points: Type.Array(Type.Object({ session_id: Nullable(Id), label: Type.String(), admitted: Type.Integer() }), { description: 'The entrance first, then each session' }),
  buckets: Type.Array(Type.Object({ starts_at: Timestamp, counts: Type.Array(Type.Integer(), { description: 'Admissions per point, in the order of points' }), total: Type.Integer() })),
  scans: Type.Record(Type.String(), Type.Integer(), { description: 'Every scan by result' }),
  conflicts: Type.Integer(),
});

function personOut(person: ScanPerson | null): Static<typeof PersonSchema> | null {
  return person ? { id: person.id, display_name: person.displayName, status: person.status, attention_note: person.attentionNote } : null;
}

export function checkInOut(outcome: CheckInOutcome): Static<typeof CheckInSchema> {
  return {
    checkin_id: outcome.checkinId,
    result: outcome.result,
    participant: personOut(outcome.person),
    session_id: outcome.sessionId,
    first_checked_in_at: outcome.firstAdmittedAt,
    scanned_at: outcome.scannedAt,
    recorded_at: outcome.recordedAt,
    offline: outcome.offline,
    replayed: outcome.replayed,
  };
}

function conflictOut(c: CheckInConflict): Static<typeof ConflictSchema> {
  return {
    id: c.id,
    kind: c.kind,
    session_id: c.sessionId,
    participant: personOut(c.person),
    created_at: c.createdAt,
    scan: { checkin_id: c.checkin.id, device_id: c.checkin.deviceId, scanned_at: c.checkin.scannedAt, device_result: c.checkin.deviceResult, result: c.checkin.result },
    first_admission: c.first ? { checkin_id: c.first.id, device_id: c.first.deviceId, scanned_at: c.first.scannedAt, offline: c.first.offline } : null,
  };
}

const tags = ['Check-in'];

/** For scanner apps: online check-in with a nonce, the offline bundle, offline uploads, conflicts. */
export function checkInRoutes(parent: FastifyInstance, write: Write): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;
  sessionRoutes(parent, write);

  app.post(
    '/events/:eventId/checkins',
    {
      schema: {
        tags,
        summary: 'Check a scanned code in',
        description:
          'At the entrance (no session_id) or a session door. Every scan is recorded and answered 200 with a result code. Two devices scanning the same code at the same moment: exactly one gets admitted. A repeated (device_id, nonce) returns the first result.',
        params: EventParams,
        body: CheckInBody,
        response: { 200: CheckInSchema, ...errors(404) },
      },
    },
    async (request) => {
      const body = request.body;
      const outcome = await checkIn(db, app.deps, apiActor(request), orgOf(request), request.params.eventId, {
        code: body.code,
        sessionId: body.session_id ?? null,
        deviceId: body.device_id,
        nonce: body.nonce,
        scannedAt: body.scanned_at,
      });
      return checkInOut(outcome);
    },
  );

  app.get(
    '/events/:eventId/checkin/bundle',
    {
      schema: {
        tags,
        summary: 'Offline bundle (incremental by cursor)',
        description:
          'Public key, sessions, participants with minimal data and the revocation list. Without cursor: everything (page through with next_cursor while more is true). Keep the last next_cursor and pass it later to get only what changed. Verify a code offline with the public key (Ed25519 over the text before the last colon), then refuse it if its event is not this one, its version is below the participant’s qr_version or min_version, or the participant is cancelled.',
        params: EventParams,
        querystring: BundleQuery,
        response: { 200: BundleSchema, ...errors(404) },
      },
    },
    async (request) => {
      const bundle = await offlineBundle(db, app.deps, orgOf(request), request.params.eventId, { cursor: request.query.cursor, limit: request.query.limit });
      return {
        event: { id: bundle.event.id, name: bundle.event.name, time_zone: bundle.event.timeZone, starts_at: bundle.event.startsAt, ends_at: bundle.event.endsAt },
        public_key: { key_id: bundle.key.keyId, public_key: bundle.key.publicKey },
        sessions: bundle.sessions.map((s) => ({ id: s.id, title: s.title, room: s.room, starts_at: s.startsAt, ends_at: s.endsAt })),
        participants: bundle.people.map((p) => ({ ...personOut(p)!, qr_version: p.qrVersion })),
        revocations: bundle.revocations.map((r) => ({ participant_id: r.participantId, min_version: r.minVersion, cancelled: r.cancelled })),
        next_cursor: bundle.cursor,
        more: bundle.more,
        generated_at: bundle.generatedAt,
      };
    },
  );

  app.post(
    '/events/:eventId/checkin/offline-scans',
    {
      schema: {
        tags,
        summary: 'Upload scans made offline',
        description: `Up to ${OFFLINE_BATCH_MAX} scans, each with its nonce, device time and the result the device showed. Each is judged again; an admission the server cannot honour (the person was let in by another device first, or the code was refused) is recorded as a conflict, never dropped. Uploading the same batch again changes nothing.`,
        params: EventParams,
        body: OfflineUploadBody,
        response: { 200: Type.Object({ data: Type.Array(OfflineResultSchema) }), ...errors(404) },
      },
    },
    async (request) => {
      const body = request.body;
      const results = await uploadOfflineScans(
        db,
        app.deps,
        apiActor(request),
        orgOf(request),
        request.params.eventId,
        body.scans.map((s) => ({ code: s.code, sessionId: s.session_id ?? null, deviceId: body.device_id, nonce: s.nonce, scannedAt: s.scanned_at, deviceResult: s.result })),
      );
      return { data: results.map((r) => ({ ...checkInOut(r), nonce: r.nonce, conflict: r.conflict })) };
    },
  );

  app.get(
    '/events/:eventId/checkin/conflicts',
    {
      schema: {
        tags,
        summary: 'List check-in conflicts',
        description: 'Offline admissions the server could not honour, newest first (at most 200).',
        params: EventParams,
        response: { 200: Type.Object({ data: Type.Array(ConflictSchema) }), ...errors(404) },
      },
    },
    async (request) => ({ data: (await listConflicts(db, orgOf(request), request.params.eventId)).map(conflictOut) }),
  );

  app.get(
    '/events/:eventId/checkin/stats',
    {
      schema: {
        tags,
        summary: 'Check-in counts',
        description: 'Admissions per 15 minutes, per entrance and per session; scans by result.',
        params: EventParams,
        response: { 200: StatsSchema, ...errors(404) },
      },
    },
    async (request) => {
      const stats = await checkInStats(db, orgOf(request), request.params.eventId);
      return {
        bucket_minutes: stats.bucketMinutes,
        points: stats.points.map((p) => ({ session_id: p.sessionId, label: p.label, admitted: p.admitted })),
        buckets: stats.buckets.map((b) => ({ starts_at: b.startsAt, counts: b.counts, total: b.total })),
        scans: stats.scans,
        conflicts: stats.conflicts,
      };
    },
  );

  app.put(
    '/events/:eventId/participants/:participantId/attention-note',
    {
      schema: {
        tags,
        summary: 'Set a participant’s attention note',
        description: 'Shown at the door when they are scanned, and sent to scanner devices. An empty note removes it.',
        params: ParticipantParams,
        body: Type.Object({ note: Type.String({ maxLength: ATTENTION_NOTE_MAX }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ attention_note: Nullable(Type.String()) }), ...errors(404) },
      },
    },
    async (request, reply) => {
      const { eventId, participantId } = request.params;
      return write(request, reply, 200, async (trx) => ({
        attention_note: await setAttentionNote(trx, app.deps, apiActor(request), orgOf(request), eventId, participantId, request.body.note),
      }));
    },
  );
}
