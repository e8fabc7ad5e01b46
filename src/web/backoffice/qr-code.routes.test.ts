import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { ApiClient, seedApiKey } from '../../../test/helpers/api.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing } from '../../../test/helpers/outbox.js';
import { listAuditEntries } from '../../modules/audit/index.js';
import { expiryFor, mintCredential } from '../../modules/credentials/index.js';
import type { Event } from '../../modules/events/index.js';
import type { Participant } from '../../modules/participants/index.js';
import { checkQr, qrTextFor, revokedQrs } from '../../modules/qr-codes/index.js';

let t: TestApp;
let org: Org;
let event: Event;
let ada: Participant;
let grace: Participant;
let alan: Participant;
let owner: Session;

const qrOf = (p: Participant) => qrTextFor(t.db, t.ctx, t.ctx.keys, org.orgId, event.id, p.id);
const check = (text: string) => checkQr(t.db, t.ctx.keys, org.orgId, event.id, text);
const participantUrl = (p: Participant, rest = '') => `/admin/o/${org.orgId}/events/${event.id}/participants/${p.id}${rest}`;

before(async () => {
  t = await createTestApp();
  org = await seedOrganisation(t);
  const seeded = await seedMailing(t, org.orgId, [
    { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' },
    { email: 'grace@example.org', firstName: 'Grace', lastName: 'Hopper' },
    { email: 'alan@example.org', firstName: 'Alan', lastName: 'Turing' },
  ]);
  event = seeded.event;
  [ada, grace, alan] = seeded.participants as [Participant, Participant, Participant];
  owner = await signedIn(t, org.ownerEmail);
});
after(() => t.close());

describe('back-office: rotating a QR code', () => {
  test('an admin confirms, the old code is refused at once, the new one works, and the history says so', async () => {
    const old = await qrOf(ada);
    const page = await owner.get(participantUrl(ada));
    assert.match(page.body, /data-testid="qr-rotate-link"/);
    const confirm = await owner.get(participantUrl(ada, '/qr-code'));
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Rotate the QR code\?/);
    assert.match(confirm.body, /data-testid="qr-version">1</);
    assert.doesNotMatch(confirm.body, /TQ1:/, 'staff never see the code');
    assert.equal((await check(old)).ok, true, 'opening the confirmation changes nothing');

    const rotated = await owner.post(participantUrl(ada, '/qr-code/rotate'), {});
    assert.equal(rotated.statusCode, 303);
    assert.deepEqual(await check(old), { ok: false, reason: 'revoked' });
    const fresh = await qrOf(ada);
    assert.equal((await check(fresh)).ok, true);
    const after = await owner.get(String(rotated.headers.location));
    assert.match(after.body, /data-testid="qr-rotated"/);
    assert.match(after.body, /data-testid="qr-version">2</);
    const [entry] = await listAuditEntries(t.db, { orgId: org.orgId, action: 'qr_code.rotated', limit: 5 });
    assert.equal(entry?.actor.id, org.ownerId);
    assert.equal(entry?.target?.id, ada.id);
    assert.match((await owner.get(participantUrl(ada))).body, /QR code rotated \(earlier codes refused\)/);
    assert.ok((await revokedQrs(t.db, org.orgId, event.id)).entries.some((e) => e.participantId === ada.id && e.minVersion === 2));
  });

  test('staff below admin get neither the button nor the rotation; other organisations get 404', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    const staff = await signedIn(t, member.email);
    const code = await qrOf(grace);
    assert.doesNotMatch((await staff.get(participantUrl(grace))).body, /qr-rotate-link/);
    assert.equal((await staff.get(participantUrl(grace, '/qr-code'))).statusCode, 403);
    assert.equal((await staff.post(participantUrl(grace, '/qr-code/rotate'), {})).statusCode, 403);
    const stranger = await signedIn(t, (await seedOrganisation(t, 'Elsewhere')).ownerEmail);
    assert.equal((await stranger.post(participantUrl(grace, '/qr-code/rotate'), {})).statusCode, 404);
    assert.equal((await check(code)).ok, true, 'nothing was rotated');
  });

  test('cancelling a participant in the back-office revokes their code and lists them for offline scanners', async () => {
    const code = await qrOf(grace);
    const before = await revokedQrs(t.db, org.orgId, event.id);
    const saved = await owner.post(participantUrl(grace, '/edit'), { email: grace.email, first_name: 'Grace', last_name: 'Hopper', status: 'cancelled' });
    assert.equal(saved.statusCode, 303);
    assert.deepEqual(await check(code), { ok: false, reason: 'revoked' });
    assert.deepEqual((await revokedQrs(t.db, org.orgId, event.id, before.cursor)).entries, [{ participantId: grace.id, minVersion: 1, cancelled: true }]);
  });
});

describe('a QR code never leaves its owner', () => {
  test('participant list, participant page, CSV export, API and other attendees show no code', async () => {
    const codes = [await qrOf(ada), await qrOf(grace)];
    const looksLikeCode = /TQ1:|tq1:/;
    const base = `/admin/o/${org.orgId}/events/${event.id}`;
    const pages = [
      await owner.get(`${base}/participants`),
      await owner.get(`${base}/participants?q=ada`),
      await owner.get(participantUrl(ada)),
      await owner.get(`${base}/participants.csv`),
    ];
    const api = new ApiClient(t, (await seedApiKey(t, org.orgId)).key);
    pages.push(await api.request('GET', `/events/${event.id}/participants`), await api.request('GET', `/events/${event.id}/participants/${ada.id}`));
    // Another attendee's own web app pages (home, card exchange) never carry anyone's code.
    const subject = { type: 'participant' as const, id: alan.id, email: alan.email };
    const expiresAt = expiryFor({ purpose: 'webapp', now: t.clock.now(), event });
    const { token } = await mintCredential(t.db, t.ctx, { purpose: 'webapp', orgId: org.orgId, eventId: event.id, subject, expiresAt, singleUse: false });
    const alanBrowser = new Session(t.app);
    assert.equal((await alanBrowser.post(`/l/${token}`, {})).statusCode, 303);
    for (const path of ['', '/leads', '/my-card', '/edit']) {
      const response = await alanBrowser.get(`/app/${event.id}${path}`);
      assert.equal(response.statusCode, 200, path);
      pages.push(response);
    }
    for (const response of pages) {
      assert.ok(response.statusCode < 500, `${response.statusCode}`);
      assert.doesNotMatch(response.body, looksLikeCode);
      for (const code of codes) assert.ok(!response.body.includes(code.split(':').at(-1)!), 'no signature either');
    }
    assert.ok(pages.some((r) => r.body.includes('ada@example.org')), 'the pages did list the participants');
  });
});
