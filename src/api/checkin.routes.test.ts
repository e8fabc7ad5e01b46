import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { apiClient, createEventViaApi } from '../../test/helpers/api.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';
import { leadIdOf } from '../modules/qr-codes/index.js';
import { OfflineDevice, attendee, checkInSetup, nonce, rotate, scanBody, type CheckInJson, type CheckInSetup } from '../../test/helpers/checkin.js';

/** Changes one character of the signed part (the participant id), keeping the text well formed. */
function altered(code: string): string {
  const parts = code.split(':');
  const id = parts[2]!;
  parts[2] = id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A');
  return parts.join(':');
}

describe('check-in through the API', () => {
  let t: TestApp;
  let s: CheckInSetup;
  before(async () => {
    t = await createTestApp();
    s = await checkInSetup(t);
  });
  after(() => t.close());

  async function scan(code: string, options: Parameters<typeof scanBody>[1] = {}, eventId = s.eventId): Promise<CheckInJson> {
    const response = await s.api.post(`/events/${eventId}/checkins`, scanBody(code, options));
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as CheckInJson;
  }

  test('a good code is admitted once; the next scan says already checked in, with the time', async () => {
    const ada = await attendee(t, s);
    const first = await scan(ada.qr);
    assert.equal(first.result, 'admitted');
    assert.deepEqual(first.participant, { id: ada.id, display_name: ada.name, status: 'registered', attention_note: null });
    t.clock.advance(60_000);
    const second = await scan(ada.qr, { device: 'door-2' });
    assert.equal(second.result, 'already_checked_in');
    assert.equal(second.first_checked_in_at, '2026-06-01T08:00:00.000Z');
    assert.equal(second.participant?.id, ada.id);
  });

  test('forged, altered, other-event, revoked, rotated-old and cancelled codes are refused online', async () => {
    const ada = await attendee(t, s);
    const otherEvent = await createEventViaApi(s.api);
    const elsewhere = await attendee(t, s, otherEvent);
    assert.equal((await scan('TQ1:NOT-A-CODE')).result, 'forged');
    assert.equal((await scan(altered(ada.qr))).result, 'forged');
    assert.equal((await scan(ada.qr.slice(0, -2) + (ada.qr.endsWith('00') ? '22' : '00'))).result, 'forged', 'a changed signature');
    const wrong = await scan(elsewhere.qr);
    assert.equal(wrong.result, 'wrong_event');
    assert.equal(wrong.participant, null, 'nothing about someone of another event');

    const fresh = await rotate(t, s, ada.id);
    const old = await scan(ada.qr);
    assert.equal(old.result, 'revoked');
    assert.equal(old.participant?.id, ada.id, 'the door sees who the old code belongs to');
    assert.equal((await scan(fresh)).result, 'admitted', 'the new version works');

    const bob = await attendee(t, s);
    assert.equal((await s.api.patch(`/events/${s.eventId}/participants/${bob.id}`, { status: 'cancelled' })).statusCode, 200);
    const cancelled = await scan(bob.qr);
    assert.equal(cancelled.result, 'cancelled');
    assert.equal(cancelled.participant?.status, 'cancelled');
    const refusals = await t.db.selectFrom('checkin_admissions').select('participant_id').where('participant_id', 'in', [bob.id, elsewhere.id]).execute();
    assert.deepEqual(refusals, [], 'no refusal admitted anyone');
  });

  test('devices scanning the same codes at the same moment: exactly one admission each', async () => {
    // Everything at once: 5 people x 4 devices, 20 requests in flight (on PostgreSQL, over 5
    // pooled connections: transactions that really overlap).
    const people = await Promise.all(Array.from({ length: 5 }, () => attendee(t, s)));
    const devices = ['door-1', 'door-2', 'door-3', 'door-4'];
    const results = await Promise.all(people.flatMap((person) => devices.map(async (device) => ({ person: person.id, result: (await scan(person.qr, { device })).result }))));
    for (const person of people) {
      const outcomes = results.filter((r) => r.person === person.id).map((r) => r.result).sort();
      assert.deepEqual(outcomes, ['admitted', 'already_checked_in', 'already_checked_in', 'already_checked_in']);
      const rows = await t.db.selectFrom('checkin_admissions').selectAll().where('participant_id', '=', person.id).execute();
      assert.equal(rows.length, 1);
    }
  });

  test('a scan racing an admission still in flight waits for it and does not admit twice', { skip: process.env.TEST_DATABASE_URL ? false : 'PostgreSQL only: one SQLite connection runs transactions one at a time' }, async () => {
    const ada = await attendee(t, s);
    let settled = false;
    let racing: Promise<CheckInJson> | undefined;
    await t.db.transaction().execute(async (trx) => {
      // Another device's scan, between its admission and its commit.
      const now = t.clock.now().toISOString();
      const id = 'zzzzzzzzzzzzzzzzzzzzzzzzzz';
      await trx.insertInto('checkins').values({ id, org_id: s.org.orgId, event_id: s.eventId, session_id: null, participant_id: ada.id, device_id: 'door-x', nonce: nonce(), result: 'admitted', device_result: null, first_admitted_at: null, qr_version: 1, scanned_at: now, recorded_at: now, offline: 0, actor_type: 'api_key', actor_id: null }).execute();
      await trx.insertInto('checkin_admissions').values({ event_id: s.eventId, point: 'entrance', participant_id: ada.id, org_id: s.org.orgId, checkin_id: id, device_id: 'door-x', admitted_at: now }).execute();
      racing = scan(ada.qr, { device: 'door-y' });
      void racing.then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(settled, false, 'the second admission waits on the first one’s row');
    });
    const result = await racing!;
    assert.equal(result.result, 'already_checked_in');
  });

  test('a repeated nonce returns the first result and records nothing new', async () => {
    const ada = await attendee(t, s);
    const once = nonce();
    const first = await scan(ada.qr, { nonce: once, device: 'door-9' });
    assert.equal(first.result, 'admitted');
    const [again, concurrent] = await Promise.all([scan(ada.qr, { nonce: once, device: 'door-9' }), scan('garbage', { nonce: once, device: 'door-9' })]);
    for (const replay of [again, concurrent]) {
      assert.equal(replay.result, 'admitted', 'not already_checked_in: the same scan, answered again');
      assert.equal(replay.checkin_id, first.checkin_id);
      assert.equal(replay.replayed, true);
    }
    const rows = await t.db.selectFrom('checkins').select('id').where('nonce', '=', once).execute();
    assert.equal(rows.length, 1);
    // The same nonce from another device is another scan.
    assert.equal((await scan(ada.qr, { nonce: once, device: 'door-10' })).result, 'already_checked_in');
  });

  test('two scans with one nonce at the same moment are one scan', async () => {
    const ada = await attendee(t, s);
    const once = nonce();
    const results = await Promise.all([scan(ada.qr, { nonce: once }), scan(ada.qr, { nonce: once })]);
    assert.deepEqual(results.map((r) => r.result), ['admitted', 'admitted']);
    assert.equal(results[0]!.checkin_id, results[1]!.checkin_id);
    assert.deepEqual(results.map((r) => r.replayed).sort(), [false, true]);
  });

  test('a lead id cannot check anyone in', async () => {
    const ada = await attendee(t, s);
    const lead = await leadIdOf(t.db, t.ctx, s.org.orgId, s.eventId, ada.id);
    for (const typed of [lead, lead.replace('-', ''), lead.toLowerCase()]) {
      const result = await scan(typed);
      assert.equal(result.result, 'forged');
      assert.equal(result.participant, null);
    }
    assert.equal((await t.db.selectFrom('checkin_admissions').select('point').where('participant_id', '=', ada.id).execute()).length, 0);
  });

  test('the entrance and each session door admit independently; a session of another event is not found', async () => {
    const ada = await attendee(t, s);
    const created = await s.api.post(`/events/${s.eventId}/sessions`, { title: 'Keynote', room: 'Hall A', starts_at: '2026-09-14T09:00:00+02:00', ends_at: '2026-09-14T10:00:00+02:00' });
    assert.equal(created.statusCode, 201);
    const session = created.json().id as string;
    assert.equal((await scan(ada.qr, { session })).result, 'admitted');
    assert.equal((await scan(ada.qr)).result, 'admitted', 'the entrance is another check-in point');
    assert.equal((await scan(ada.qr, { session })).result, 'already_checked_in');

    const otherEvent = await createEventViaApi(s.api);
    const foreign = (await s.api.post(`/events/${otherEvent}/sessions`, { title: 'Other', starts_at: '2026-09-14T09:00:00Z', ends_at: '2026-09-14T10:00:00Z' })).json().id as string;
    const refused = await s.api.post(`/events/${s.eventId}/checkins`, scanBody(ada.qr, { session: foreign }));
    assert.equal(refused.statusCode, 404);
    assert.equal((await s.api.delete(`/events/${s.eventId}/sessions/${session}`)).statusCode, 409, 'a session with scans keeps its history');
  });

  test('the OpenAPI document describes the check-in routes and their result codes', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, { tags?: string[]; responses: Record<string, unknown> }>> };
    for (const path of ['/events/{eventId}/checkins', '/events/{eventId}/checkin/offline-scans', '/events/{eventId}/sessions']) {
      assert.deepEqual(doc.paths[`/api/v1${path}`]?.['post']?.tags, ['Check-in'], path);
    }
    for (const path of ['/events/{eventId}/checkin/bundle', '/events/{eventId}/checkin/conflicts', '/events/{eventId}/checkin/stats']) {
      assert.ok(doc.paths[`/api/v1${path}`]?.['get'], path);
    }
    const result = JSON.stringify(doc.paths['/api/v1/events/{eventId}/checkins']!['post']!.responses['200']);
    for (const code of ['admitted', 'already_checked_in', 'cancelled', 'wrong_event', 'revoked', 'forged', 'unknown']) assert.match(result, new RegExp(`"${code}"`));
  });

  test("another organisation's key sees nothing of the event", async () => {
    const ada = await attendee(t, s);
    const stranger = await apiClient(t, (await seedOrganisation(t, 'Other Org')).orgId);
    assert.equal((await stranger.post(`/events/${s.eventId}/checkins`, scanBody(ada.qr))).statusCode, 404);
    assert.equal((await stranger.get(`/events/${s.eventId}/checkin/bundle`)).statusCode, 404);
    assert.equal((await stranger.post(`/events/${s.eventId}/checkin/offline-scans`, { device_id: 'x', scans: [{ nonce: nonce(), code: ada.qr, scanned_at: '2026-06-01T08:00:00Z', result: 'admitted' }] })).statusCode, 404);
    assert.equal((await stranger.get(`/events/${s.eventId}/checkin/conflicts`)).statusCode, 404);
  });
});

describe('offline scanning through the API', () => {
  let t: TestApp;
  let s: CheckInSetup;
  before(async () => {
    t = await createTestApp();
    s = await checkInSetup(t);
  });
  after(() => t.close());

  test('the bundle carries minimal data only and lets a device refuse forged, altered, other-event, revoked and rotated-old codes', async () => {
    const ada = await attendee(t, s, s.eventId, { fields: {} });
    const bob = await attendee(t, s);
    const cat = await attendee(t, s);
    const otherEvent = await createEventViaApi(s.api);
    const elsewhere = await attendee(t, s, otherEvent);
    const oldBob = bob.qr;
    const newBob = await rotate(t, s, bob.id);
    assert.equal((await s.api.patch(`/events/${s.eventId}/participants/${cat.id}`, { status: 'cancelled' })).statusCode, 200);

    const device = new OfflineDevice(s.api, s.eventId);
    await device.sync();
    const entry = device.people.get(ada.id)!;
    assert.deepEqual(Object.keys(entry).sort(), ['attention_note', 'display_name', 'id', 'qr_version', 'status']);
    const raw = JSON.stringify([...device.people.values()]);
    assert.doesNotMatch(raw, /@example\.org/, 'no email in the bundle');
    assert.equal(device.people.get(bob.id)!.qr_version, 2);

    assert.equal(device.judge(ada.qr), 'admitted');
    assert.equal(device.judge(ada.qr), 'already_checked_in');
    assert.equal(device.judge(altered(newBob)), 'forged');
    assert.equal(device.judge('HELLO'), 'forged');
    assert.notEqual(device.judge(elsewhere.qr), 'admitted');
    assert.equal(device.judge(oldBob), 'revoked');
    assert.equal(device.judge(newBob), 'admitted');
    assert.equal(device.judge(cat.qr), 'cancelled');
  });

  test('an incremental sync brings only what changed: a rotation, a cancellation, an attention note', async () => {
    const people = await Promise.all(Array.from({ length: 6 }, () => attendee(t, s)));
    // Changes are found by write time with an overlap (SYNC_OVERLAP_MS): let the writes age first.
    t.clock.advance(10 * 60_000);
    const device = new OfflineDevice(s.api, s.eventId);
    assert.ok((await device.sync(4)) >= 6, 'the first sync pages through everyone');
    t.clock.advance(10 * 60_000);
    assert.equal(await device.sync(), 0, 'nothing changed');

    const [ann, ben, cid] = people;
    const annOld = ann!.qr;
    await rotate(t, s, ann!.id);
    assert.equal((await s.api.patch(`/events/${s.eventId}/participants/${ben!.id}`, { status: 'cancelled' })).statusCode, 200);
    const note = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/events/${s.eventId}/participants/${cid!.id}/attention-note`,
      headers: { authorization: `Bearer ${s.api.key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ note: 'Wheelchair: side door' }),
    });
    assert.equal(note.statusCode, 200, note.body);
    t.clock.advance(10 * 60_000);

    const changed = await device.sync();
    assert.equal(changed, 3);
    assert.equal(device.judge(annOld), 'revoked');
    assert.equal(device.judge(ben!.qr), 'cancelled');
    assert.equal(device.people.get(cid!.id)!.attention_note, 'Wheelchair: side door');
    assert.equal(device.revocations.get(ann!.id)?.minVersion, 2);
  });

  test('two devices admitting the same person offline: both scans kept, the conflict recorded and listed', async () => {
    const ada = await attendee(t, s);
    const forged = 'TQ1:FORGED';
    const upload = (device: string, scans: unknown[]) => s.api.post(`/events/${s.eventId}/checkin/offline-scans`, { device_id: device, scans });
    const a = { nonce: nonce(), code: ada.qr, scanned_at: '2026-06-01T07:50:00Z', result: 'admitted' };
    const b = { nonce: nonce(), code: ada.qr, scanned_at: '2026-06-01T07:52:00Z', result: 'admitted' };
    const c = { nonce: nonce(), code: forged, scanned_at: '2026-06-01T07:53:00Z', result: 'admitted' };

    const fromA = await upload('tablet-a', [a]);
    assert.equal(fromA.statusCode, 200, fromA.body);
    assert.equal(fromA.json().data[0].result, 'admitted');
    assert.equal(fromA.json().data[0].offline, true);
    const fromB = await upload('tablet-b', [b, c]);
    assert.deepEqual(
      fromB.json().data.map((r: { result: string; conflict: string | null }) => [r.result, r.conflict]),
      [
        ['already_checked_in', 'double_admission'],
        ['forged', 'refused_by_server'],
      ],
    );
    // Uploading again (the device did not get the answer) changes nothing.
    const again = await upload('tablet-b', [b, c]);
    assert.deepEqual(again.json().data.map((r: { replayed: boolean; conflict: string | null }) => [r.replayed, r.conflict]), [[true, 'double_admission'], [true, 'refused_by_server']]);

    const listed = await s.api.get(`/events/${s.eventId}/checkin/conflicts`);
    assert.equal(listed.statusCode, 200);
    const conflicts = listed.json().data as Array<{ kind: string; participant: { id: string } | null; scan: { device_id: string; scanned_at: string }; first_admission: { device_id: string; scanned_at: string } | null }>;
    assert.equal(conflicts.length, 2);
    const double = conflicts.find((c) => c.kind === 'double_admission')!;
    assert.equal(double.participant?.id, ada.id);
    assert.equal(double.scan.device_id, 'tablet-b');
    assert.equal(double.scan.scanned_at, '2026-06-01T07:52:00.000Z');
    assert.equal(double.first_admission?.device_id, 'tablet-a');
    assert.equal(double.first_admission?.scanned_at, '2026-06-01T07:50:00.000Z');
    assert.equal((await s.api.get(`/events/${s.eventId}/checkin/stats`)).json().conflicts, 2);
  });

  test('the dashboard counts admissions per 15 minutes and per check-in point', async () => {
    const t2 = await createTestApp();
    try {
      const s2 = await checkInSetup(t2);
      const session = (await s2.api.post(`/events/${s2.eventId}/sessions`, { title: 'Workshop', starts_at: '2026-06-01T09:00:00Z', ends_at: '2026-06-01T10:00:00Z' })).json().id as string;
      const people = await Promise.all(Array.from({ length: 3 }, () => attendee(t2, s2)));
      for (const [i, person] of people.entries()) {
        await s2.api.post(`/events/${s2.eventId}/checkins`, scanBody(person.qr, { scannedAt: `2026-06-01T08:0${i * 4}:00Z` }));
      }
      await s2.api.post(`/events/${s2.eventId}/checkins`, scanBody(people[0]!.qr, { session, scannedAt: '2026-06-01T08:20:00Z' }));
      await s2.api.post(`/events/${s2.eventId}/checkins`, scanBody('nope'));
      const stats = (await s2.api.get(`/events/${s2.eventId}/checkin/stats`)).json();
      assert.deepEqual(stats.points.map((p: { label: string; admitted: number }) => [p.label, p.admitted]), [['Entrance', 3], ['Workshop', 1]]);
      assert.deepEqual(stats.buckets.map((b: { starts_at: string; counts: number[] }) => [b.starts_at, b.counts]), [
        ['2026-06-01T08:00:00.000Z', [3, 0]],
        ['2026-06-01T08:15:00.000Z', [0, 1]],
      ]);
      assert.equal(stats.scans.admitted, 4);
      assert.equal(stats.scans.forged, 1);
    } finally {
      await t2.close();
    }
  });
});
