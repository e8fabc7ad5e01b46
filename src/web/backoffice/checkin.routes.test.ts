import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedStaff, signedIn } from '../../../test/helpers/fixtures.js';
import { attendee, checkInSetup, nonce, type CheckInSetup } from '../../../test/helpers/checkin.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { leadIdOf } from '../../modules/qr-codes/index.js';

function hiddenNonce(html: string): string {
  const match = /name="nonce" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no nonce on the scanner page');
  return match[1];
}

function verdict(html: string): string | null {
  return /data-result="([a-z_]+)"/.exec(html)?.[1] ?? null;
}

describe('check-in pages in the back-office', () => {
  let t: TestApp;
  let s: CheckInSetup;
  let scanner: Session;
  let staff: Session;
  let admin: Session;
  let base: string;
  before(async () => {
    t = await createTestApp();
    s = await checkInSetup(t);
    assert.equal((await s.api.post(`/events/${s.eventId}/fields`, { key: 'company', label: 'Company', type: 'text' })).statusCode, 201);
    scanner = await signedIn(t, (await seedStaff(t, s.org.orgId, 'scanner')).email);
    staff = await signedIn(t, (await seedStaff(t, s.org.orgId, 'staff')).email);
    admin = await signedIn(t, (await seedStaff(t, s.org.orgId, 'admin')).email);
    base = `/admin/o/${s.org.orgId}/events/${s.eventId}`;
  });
  after(() => t.close());

  /** The plain form, as a browser without JavaScript sends it. */
  async function scanWithForm(browser: Session, code: string, session = ''): Promise<{ status: number; body: string }> {
    const page = await browser.get(`${base}/scan${session ? `?session=${session}` : ''}`);
    assert.equal(page.statusCode, 200);
    const response = await browser.post(`${base}/scan`, { code, nonce: hiddenNonce(page.body), session });
    return { status: response.statusCode, body: response.body };
  }

  test('a scanner admits a participant from a typed code; the second scan says already checked in, with the time', async () => {
    const ada = await attendee(t, s);
    const first = await scanWithForm(scanner, ada.qr);
    assert.equal(first.status, 200);
    assert.equal(verdict(first.body), 'admitted');
    assert.match(first.body, /Admitted/);
    assert.match(first.body, new RegExp(ada.name));
    t.clock.advance(5 * 60_000);
    const second = await scanWithForm(scanner, ada.qr.toLowerCase());
    assert.equal(verdict(second.body), 'already_checked_in');
    // 08:00 UTC is 10:00 in Paris, the event's zone.
    assert.match(second.body, /Already checked in at 10:00/);
  });

  test('the scanner page shows name, status and attention note, and nothing else about the person', async () => {
    const secretEmail = `very.private.${Date.now()}@example.org`;
    const bob = await attendee(t, s, s.eventId, { email: secretEmail, first_name: 'Bob', last_name: 'Stone', fields: { company: 'Hidden Holdings' } });
    const saved = await staff.post(`${base}/participants/${bob.id}/attention-note`, { note: 'Wheelchair user: side entrance' });
    assert.equal(saved.statusCode, 303);
    const lead = await leadIdOf(t.db, t.ctx, s.org.orgId, s.eventId, bob.id);
    const results = [await scanWithForm(scanner, bob.qr), await scanWithForm(scanner, bob.qr)];
    assert.equal((await s.api.patch(`/events/${s.eventId}/participants/${bob.id}`, { status: 'cancelled' })).statusCode, 200);
    results.push(await scanWithForm(scanner, bob.qr));
    assert.deepEqual(results.map((r) => verdict(r.body)), ['admitted', 'already_checked_in', 'cancelled']);
    for (const { body } of results) {
      assert.match(body, /Bob Stone/);
      assert.match(body, /Wheelchair user: side entrance/);
      assert.doesNotMatch(body, /very\.private/, 'no email');
      assert.doesNotMatch(body, /@example\.org/, 'no email at all');
      assert.doesNotMatch(body, /Hidden Holdings/, 'no custom field');
      assert.doesNotMatch(body, new RegExp(lead.replace('-', '-?')), 'no lead id');
      assert.doesNotMatch(body, new RegExp(bob.id), 'no participant id (nor a link to their page)');
    }
    assert.match(results[2]!.body, /Status: cancelled/);
    const json = await scanJson(scanner, bob.qr);
    assert.doesNotMatch(JSON.stringify(json), /@example\.org|Hidden Holdings/);
  });

  async function scanJson(browser: Session, code: string, once?: string): Promise<{ result: string; html: string; nonce: string }> {
    const page = await browser.get(`${base}/scan`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const response = await t.app.inject({
      method: 'POST',
      url: `${base}/scan`,
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', cookie: browser.cookieHeader() },
      payload: new URLSearchParams({ _csrf: csrf, code, nonce: once ?? hiddenNonce(page.body), session: '' }).toString(),
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  }

  test('the camera script gets the rendered result and a fresh nonce; resending a nonce replays the first result', async () => {
    const cat = await attendee(t, s);
    const once = nonce();
    const first = await scanJson(scanner, cat.qr, once);
    assert.equal(first.result, 'admitted');
    assert.match(first.html, /class="scan-result scan-ok"/);
    assert.notEqual(first.nonce, once);
    const again = await scanJson(scanner, cat.qr, once);
    assert.equal(again.result, 'admitted', 'the same scan sent twice (a retry) is answered the same');
    assert.equal((await scanJson(scanner, cat.qr)).result, 'already_checked_in');
    const forged = await scanJson(scanner, 'TQ1:HELLO');
    assert.equal(forged.result, 'forged');
    assert.match(forged.html, /scan-bad/);
  });

  test('a scan without the form’s CSRF token is refused and records nothing', async () => {
    const dan = await attendee(t, s);
    const missing = await scanner.post(`${base}/scan`, { code: dan.qr, nonce: nonce(), session: '' }, { csrf: false });
    assert.equal(missing.statusCode, 400);
    const response = await scanner.post(`${base}/scan`, { _csrf: 'made-up', code: dan.qr, nonce: nonce(), session: '' }, { csrf: false });
    assert.equal(response.statusCode, 403);
    assert.equal((await t.db.selectFrom('checkins').select('id').where('participant_id', '=', dan.id).execute()).length, 0);
  });

  test('admins manage sessions; a session door is a check-in point of its own', async () => {
    assert.equal((await staff.post(`${base}/sessions`, { title: 'x', room: '', starts_at: '2026-09-14T09:00', ends_at: '2026-09-14T10:00' })).statusCode, 403);
    const bad = await admin.post(`${base}/sessions`, { title: 'Keynote', room: 'Hall A', starts_at: '2026-09-14T11:00', ends_at: '2026-09-14T10:00' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /cannot end before it starts/);
    const created = await admin.post(`${base}/sessions`, { title: 'Keynote', room: 'Hall A', starts_at: '2026-09-14T09:00', ends_at: '2026-09-14T10:00' });
    assert.equal(created.statusCode, 303);
    const session = await t.db.selectFrom('event_sessions').selectAll().where('event_id', '=', s.eventId).executeTakeFirstOrThrow();
    assert.equal(session.starts_at, '2026-09-14T07:00:00.000Z', 'typed in the event’s zone (Paris)');
    const list = await staff.get(`${base}/sessions`);
    assert.match(list.body, /Keynote/);

    const eve = await attendee(t, s);
    const scannerPage = await scanner.get(`${base}/scan?session=${session.id}`);
    assert.match(scannerPage.body, /Check-in · Keynote \(Hall A\)/);
    assert.equal(verdict((await scanWithForm(scanner, eve.qr, session.id)).body), 'admitted');
    assert.equal(verdict((await scanWithForm(scanner, eve.qr)).body), 'admitted', 'the entrance is another point');
    assert.equal(verdict((await scanWithForm(scanner, eve.qr, session.id)).body), 'already_checked_in');

    const refused = await admin.post(`${base}/sessions/${session.id}/delete`, {});
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /cannot be deleted/);
  });

  test('the dashboard counts admissions per entrance and session over time and lists conflicts, for staff; scanners only scan', async () => {
    const fay = await attendee(t, s);
    for (const device of ['tablet-a', 'tablet-b']) {
      const scans = [{ nonce: nonce(), code: fay.qr, scanned_at: '2026-06-01T07:40:00Z', result: 'admitted' }];
      assert.equal((await s.api.post(`/events/${s.eventId}/checkin/offline-scans`, { device_id: device, scans })).statusCode, 200);
    }
    const page = await staff.get(`${base}/checkin`);
    assert.match(page.body, /Admitted offline by two devices/);
    assert.match(page.body, /tablet-b at .*tablet-a at/s);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Admissions per 15 minutes/);
    assert.match(page.body, /<b>\d+<\/b> Entrance/);
    assert.match(page.body, /Keynote \(Hall A\)/);
    assert.equal((await scanner.get(`${base}/checkin`)).statusCode, 403);
    assert.equal((await scanner.get(`${base}/sessions`)).statusCode, 403);
    assert.equal((await scanner.get(`${base}/participants`)).statusCode, 403);
  });

  test('someone outside the organisation gets not found, not the scanner', async () => {
    const outsider = await checkInSetup(t);
    const stranger = await signedIn(t, outsider.org.ownerEmail);
    assert.equal((await stranger.get(`${base}/scan`)).statusCode, 404);
    assert.equal((await stranger.get(`${base}/checkin`)).statusCode, 404);
  });
});
