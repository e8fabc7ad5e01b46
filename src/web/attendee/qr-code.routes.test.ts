import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { PASSWORD, seedOrganisation, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing } from '../../../test/helpers/outbox.js';
import { expiryFor, mintCredential } from '../../modules/credentials/index.js';
import type { Event } from '../../modules/events/index.js';
import type { Participant } from '../../modules/participants/index.js';
import { checkQr, qrSvg } from '../../modules/qr-codes/index.js';
import { createPreviewLink } from '../../modules/webapp/index.js';

let t: TestApp;
let org: Org;
let event: Event;
let other: Event;
let ada: Participant;
let grace: Participant;

/** A browser that opened the person's web app link and pressed the landing page's button. */
async function inApp(e: Event, p: Participant): Promise<Session> {
  const subject = { type: 'participant' as const, id: p.id, email: p.email };
  const { token } = await mintCredential(t.db, t.ctx, { purpose: 'webapp', orgId: e.orgId, eventId: e.id, subject, expiresAt: expiryFor({ purpose: 'webapp', now: t.clock.now(), event: e }), singleUse: false });
  const browser = new Session(t.app);
  assert.equal((await browser.post(`/l/${token}`, {})).statusCode, 303);
  return browser;
}

function codeOn(body: string): string {
  const match = /data-testid="qr-text">([^<]+)</.exec(body);
  assert.ok(match?.[1], 'the code text is on the page');
  return match[1].trim();
}

before(async () => {
  t = await createTestApp();
  org = await seedOrganisation(t);
  const seeded = await seedMailing(t, org.orgId, [
    { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' },
    { email: 'grace@example.org', firstName: 'Grace', lastName: 'Hopper' },
  ]);
  event = seeded.event;
  [ada, grace] = seeded.participants as [Participant, Participant];
  other = (await seedMailing(t, org.orgId, [{ email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' }])).event;
});
after(() => t.close());

describe('web app: My QR code', () => {
  test("the signed-in attendee sees their own code (image and text), never cached, linked from the menu", async () => {
    const browser = await inApp(event, ada);
    const home = await browser.get(`/app/${event.id}`);
    assert.match(home.body, new RegExp(`href="/app/${event.id}/qr-code"`));
    const page = await browser.get(`/app/${event.id}/qr-code`);
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    const text = codeOn(page.body);
    const result = await checkQr(t.db, t.ctx.keys, org.orgId, event.id, text);
    assert.ok(result.ok && result.participantId === ada.id, JSON.stringify(result));
    assert.ok(page.body.includes(await qrSvg(text)), 'the image is the same code');
    assert.match(page.body, /<strong>[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}<\/strong>/, 'the lead id, shown as a card id');
  });

  test("another attendee's page shows their own code, never Ada's; the code is per event", async () => {
    const adaCode = codeOn((await (await inApp(event, ada)).get(`/app/${event.id}/qr-code`)).body);
    const graceCode = codeOn((await (await inApp(event, grace)).get(`/app/${event.id}/qr-code`)).body);
    assert.notEqual(graceCode, adaCode);
    assert.ok(!graceCode.includes(ada.id.toUpperCase()));
    // Ada's session in this event opens nothing in the other event, where she has another code.
    const browser = await inApp(event, ada);
    const elsewhere = await browser.get(`/app/${other.id}/qr-code`);
    assert.equal(elsewhere.statusCode, 303);
    assert.doesNotMatch(elsewhere.body, /TQ1:/);
  });

  test('without a session the page sends the browser to sign in and shows no code', async () => {
    const response = await new Session(t.app).get(`/app/${event.id}/qr-code`);
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/app/${event.id}/sign-in`);
    assert.doesNotMatch(response.body, /TQ1:/);
  });

  test("a staff preview of the attendee's app does not show their code", async () => {
    const staff = new Session(t.app);
    assert.equal((await staff.post('/admin/login', { email: org.ownerEmail, password: PASSWORD })).statusCode, 303);
    const token = await createPreviewLink(t.db, t.ctx, { type: 'staff', id: org.ownerId, label: null, ip: null }, event, grace);
    assert.equal((await staff.post(`/l/${token}`, {})).statusCode, 303);
    const page = await staff.get(`/app/${event.id}/qr-code`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-testid="qr-hidden"/);
    assert.doesNotMatch(page.body, /TQ1:|<svg/);
  });
});
