import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing } from '../../../test/helpers/outbox.js';
import { systemActor } from '../../lib/context.js';
import { expiryFor, mintCredential } from '../../modules/credentials/index.js';
import type { Event } from '../../modules/events/index.js';
import { createParticipant, updateParticipant, type Participant } from '../../modules/participants/index.js';
import { qrTextFor } from '../../modules/qr-codes/index.js';
import { createPreviewLink } from '../../modules/webapp/index.js';
import { LEAD_LIMITS } from './leads.routes.js';

const FIELDS = [
  { key: 'company', label: 'Company', type: 'text' as const },
  { key: 'job_title', label: 'Job title', type: 'text' as const },
  { key: 'phone', label: 'Mobile', type: 'phone' as const },
  { key: 'diet', label: 'Diet', type: 'single_choice' as const, options: ['none', 'vegetarian'] },
];

const ADA = { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace', fields: { company: '=Analytical Engines', job_title: 'Countess', phone: '+44 20 7946 0000', diet: 'vegetarian' } };

/** A browser that opened the person's web app link and pressed the landing page's button. */
async function inApp(t: TestApp, event: Event, p: Participant, ip?: string): Promise<Session> {
  const subject = { type: 'participant' as const, id: p.id, email: p.email };
  const { token } = await mintCredential(t.db, t.ctx, { purpose: 'webapp', orgId: event.orgId, eventId: event.id, subject, expiresAt: expiryFor({ purpose: 'webapp', now: t.clock.now(), event }), singleUse: false });
  const browser = new Session(t.app, ip ? { ip } : {});
  assert.equal((await browser.post(`/l/${token}`, {})).statusCode, 303);
  return browser;
}

/** The lead id the attendee reads on their "My card" page. */
async function leadIdOn(browser: Session, event: Event): Promise<string> {
  const page = await browser.get(`/app/${event.id}/my-card`);
  assert.equal(page.statusCode, 200);
  const match = /data-testid="my-lead-id">([^<]+)</.exec(page.body);
  assert.ok(match?.[1], 'the lead id is on the page');
  return match[1].trim();
}

/** What the scanner script sends: JSON with the session cookie and the page's CSRF token. */
async function postJson(t: TestApp, browser: Session, eventId: string, body: unknown): Promise<LightMyRequestResponse> {
  const csrf = await browser.csrf();
  return t.app.inject({
    method: 'POST',
    url: `/app/${eventId}/leads`,
    headers: { accept: 'application/json', 'content-type': 'application/json', cookie: browser.cookieHeader(), 'x-csrf-token': csrf },
    payload: JSON.stringify(body),
  });
}

async function exchanges(t: TestApp): Promise<number> {
  const row = await t.db.selectFrom('lead_exchanges').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('web app: lead exchange (business cards)', () => {
  let t: TestApp;
  let org: Org;
  let event: Event;
  let ada: Participant;
  let grace: Participant;
  let alan: Participant;
  let other: { event: Event; person: Participant };

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    const seeded = await seedMailing(
      t,
      org.orgId,
      [
        ADA,
        { email: 'grace@example.org', firstName: 'Grace', lastName: 'Hopper', fields: { company: 'Navy' } },
        { email: 'alan@example.org', firstName: 'Alan', lastName: 'Turing', fields: { company: 'Bletchley' } },
      ],
      undefined,
      FIELDS,
    );
    event = seeded.event;
    [ada, grace, alan] = seeded.participants as [Participant, Participant, Participant];
    const second = await seedMailing(t, org.orgId, [{ email: 'edsger@example.org', firstName: 'Edsger', lastName: 'Dijkstra' }]);
    other = { event: second.event, person: second.participants[0]! };
  });
  after(async () => {
    await t.close();
  });

  test('a lead id typed by hand collects the card: the collector sees it, the collected person sees who collected it', async () => {
    const adaBrowser = await inApp(t, event, ada);
    const graceBrowser = await inApp(t, event, grace);
    const leadId = await leadIdOn(adaBrowser, event);
    assert.match(leadId, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);

    // Typed the way people type: lower case, no dash, a space.
    const typed = `${leadId.slice(0, 4).toLowerCase()} ${leadId.slice(5)}`;
    const sent = await graceBrowser.post(`/app/${event.id}/leads`, { leadId: typed });
    assert.equal(sent.statusCode, 303);
    assert.match(String(sent.headers.location), new RegExp(`^/app/${event.id}/leads\\?got=[0-9a-z]{26}&new=1$`));
    const result = await graceBrowser.get(String(sent.headers.location));
    assert.match(result.body, /Card collected/);
    assert.match(result.body, /Ada Lovelace/);

    const collected = await graceBrowser.get(`/app/${event.id}/cards`);
    assert.match(collected.body, /Ada Lovelace/);
    assert.match(collected.body, /Analytical Engines/, 'the company is on a card by default');
    for (const hidden of ['ada@example.org', 'Countess', '7946', 'vegetarian']) assert.ok(!collected.body.includes(hidden), `${hidden} is not shared by default`);

    const mine = await adaBrowser.get(`/app/${event.id}/my-card`);
    assert.match(mine.body, /data-testid="collectors"[^>]*>\s*<li>Grace Hopper/);
    assert.ok(!mine.body.includes('grace@example.org'), "the collector's address is not shown to the collected");

    // Again: the same exchange, nothing new.
    const again = await graceBrowser.post(`/app/${event.id}/leads`, { leadId });
    assert.equal(again.statusCode, 303);
    assert.doesNotMatch(String(again.headers.location), /new=1/);
    assert.match((await graceBrowser.get(String(again.headers.location))).body, /You already have this card/);
    assert.equal(await exchanges(t), 1);
  });

  test('the JSON endpoint takes a lead id and answers with only what the card shares', async () => {
    const alanBrowser = await inApp(t, event, alan);
    const adaLead = await leadIdOn(await inApp(t, event, ada), event);
    const first = await postJson(t, alanBrowser, event.id, { leadId: adaLead });
    assert.equal(first.statusCode, 201);
    const body = first.json() as { exchangeId: string; created: boolean; card: { name: string; email: string | null; fields: Array<{ key: string; value: unknown }> } };
    assert.equal(body.created, true);
    assert.deepEqual(body.card, { name: 'Ada Lovelace', email: null, fields: [{ key: 'company', label: 'Company', type: 'text', value: '=Analytical Engines' }] });
    for (const secret of [ada.id, ada.email, 'Countess', 'vegetarian', ada.contactId]) assert.ok(!first.body.includes(secret), `${secret} is not in the answer`);
    const second = await postJson(t, alanBrowser, event.id, { leadId: adaLead });
    assert.equal(second.statusCode, 200);
    assert.equal((second.json() as { exchangeId: string }).exchangeId, body.exchangeId);
    // The JSON route wants the CSRF token like every form: a cross-site page cannot collect cards.
    const forged = await t.app.inject({
      method: 'POST',
      url: `/app/${event.id}/leads`,
      headers: { accept: 'application/json', 'content-type': 'application/json', cookie: alanBrowser.cookieHeader() },
      payload: JSON.stringify({ leadId: adaLead }),
    });
    assert.equal(forged.statusCode, 403);
  });

  test('a QR text, a personal link or any other credential is refused as a lead id, before any lookup', async () => {
    const graceBrowser = await inApp(t, event, grace);
    const qrText = await qrTextFor(t.db, t.ctx, t.ctx.keys, org.orgId, event.id, alan.id);
    const subject = { type: 'participant' as const, id: alan.id, email: alan.email };
    const { token } = await mintCredential(t.db, t.ctx, { purpose: 'webapp', orgId: org.orgId, eventId: event.id, subject, expiresAt: expiryFor({ purpose: 'webapp', now: t.clock.now(), event }), singleUse: false });
    const before = await exchanges(t);
    for (const credential of [qrText, qrText.toLowerCase(), ` ${qrText} `, token, `https://tessera.test/l/${token}`, alan.id, 'ABCD-2345-EFGH', '']) {
      const response = await postJson(t, graceBrowser, event.id, { leadId: credential });
      assert.equal(response.statusCode, 422, credential);
      assert.equal((response.json() as { error: { code: string } }).error.code, 'not_a_lead_id');
    }
    const form = await graceBrowser.post(`/app/${event.id}/leads`, { leadId: qrText });
    assert.equal(form.statusCode, 422);
    assert.match(form.body, /This is not a lead id/);
    assert.equal(await exchanges(t), before, 'nothing collected');
  });

  test('own lead id, another event and cancelled people: refused, and cancelled cards leave the collected list', async () => {
    const graceBrowser = await inApp(t, event, grace);
    const graceLead = await leadIdOn(graceBrowser, event);
    const own = await postJson(t, graceBrowser, event.id, { leadId: graceLead });
    assert.equal(own.statusCode, 422);
    assert.equal((own.json() as { error: { code: string } }).error.code, 'own_lead');

    const otherLead = await leadIdOn(await inApp(t, other.event, other.person), other.event);
    const elsewhere = await postJson(t, graceBrowser, event.id, { leadId: otherLead });
    assert.equal(elsewhere.statusCode, 404);
    assert.equal((elsewhere.json() as { error: { code: string } }).error.code, 'lead_unknown');

    // Alan is collected, then cancelled: his card can no longer be collected and leaves the list.
    const alanLead = await leadIdOn(await inApp(t, event, alan), event);
    assert.equal((await postJson(t, graceBrowser, event.id, { leadId: alanLead })).statusCode, 201);
    await updateParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, alan.id, { status: 'cancelled' });
    const cancelled = await postJson(t, await inApp(t, event, ada), event.id, { leadId: alanLead });
    assert.equal(cancelled.statusCode, 404);
    assert.equal((cancelled.json() as { error: { code: string } }).error.code, 'lead_unknown', 'the same answer as an unknown id: a status is nobody else\'s business');
    assert.ok(!(await graceBrowser.get(`/app/${event.id}/cards`)).body.includes('Alan Turing'));
    await updateParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, alan.id, { status: 'registered' });
  });

  test('share settings decide what collectors see, on cards already collected too, on the page and in the CSV', async () => {
    const adaBrowser = await inApp(t, event, ada);
    const graceBrowser = await inApp(t, event, grace);
    await graceBrowser.post(`/app/${event.id}/leads`, { leadId: await leadIdOn(adaBrowser, event) });

    const saved = await adaBrowser.post(`/app/${event.id}/my-card`, { share_email: '1', share: ['job_title', 'phone'] });
    assert.equal(saved.statusCode, 303);
    const cards = (await graceBrowser.get(`/app/${event.id}/cards`)).body;
    for (const shown of ['ada@example.org', 'Countess', '+44 20 7946 0000']) assert.ok(cards.includes(shown), `${shown} is shared now`);
    for (const hidden of ['Analytical Engines', 'vegetarian']) assert.ok(!cards.includes(hidden), `${hidden} is no longer shared`);

    const csv = await graceBrowser.get(`/app/${event.id}/cards.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.equal(csv.headers['cache-control'], 'no-store');
    const [header, ...rows] = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n').map((line) => line.split(','));
    assert.deepEqual([header![0], header![1], header!.at(-2), header!.at(-1)], ['Name', 'Email', 'Collected at (Europe/Paris)', 'My note']);
    // A leading + is quoted like = (the participant export's rule): spreadsheets read it as a formula.
    const adaRow = Object.fromEntries(header!.map((column, i) => [column, rows.find((r) => r[0] === 'Ada Lovelace')![i]]));
    assert.deepEqual([adaRow['Email'], adaRow['Job title'], adaRow['Mobile'], adaRow['Company']], ['ada@example.org', 'Countess', "'+44 20 7946 0000", '']);
    assert.ok(!csv.body.includes('vegetarian') && !csv.body.includes('Analytical'));

    // Back to name only; a formula in a shared field leaves the CSV as text.
    await adaBrowser.post(`/app/${event.id}/my-card`, { share: ['company'] });
    const after = await graceBrowser.get(`/app/${event.id}/cards.csv`);
    assert.ok(after.body.includes("'=Analytical Engines"), 'a formula-looking value is neutralised');
    assert.ok(!after.body.includes('ada@example.org') && !after.body.includes('Countess'));

    // A field key that is not the event's is refused, nothing saved.
    const unknown = await adaBrowser.post(`/app/${event.id}/my-card`, { share: ['company', 'email_hidden'] });
    assert.equal(unknown.statusCode, 400);
  });

  test('notes and exchanges are the collector\'s own: a note is never shown to the collected person, nor writable by others', async () => {
    const adaBrowser = await inApp(t, event, ada);
    const graceBrowser = await inApp(t, event, grace);
    const sent = await postJson(t, graceBrowser, event.id, { leadId: await leadIdOn(adaBrowser, event) });
    const { exchangeId } = sent.json() as { exchangeId: string };
    const note = await graceBrowser.post(`/app/${event.id}/cards/${exchangeId}/note`, { note: 'Talk about the engine' });
    assert.equal(note.statusCode, 303);
    assert.match((await graceBrowser.get(`/app/${event.id}/cards`)).body, /Talk about the engine/);
    assert.ok(!(await adaBrowser.get(`/app/${event.id}/my-card`)).body.includes('Talk about'));
    const meddling = await adaBrowser.post(`/app/${event.id}/cards/${exchangeId}/note`, { note: 'overwritten' });
    assert.equal(meddling.statusCode, 404);
    const peek = await adaBrowser.get(`/app/${event.id}/leads?got=${exchangeId}&new=1`);
    assert.equal(peek.statusCode, 200);
    assert.ok(!peek.body.includes('data-testid="collected"'), "someone else's exchange id shows nothing");
    assert.match((await graceBrowser.get(`/app/${event.id}/cards`)).body, /Talk about the engine/);
  });

  test('a staff preview sees the pages but collects nothing and changes no setting', async () => {
    const staff = new Session(t.app);
    const login = await staff.post('/admin/login', { email: org.ownerEmail, password: 'correct horse battery' });
    assert.equal(login.statusCode, 303);
    const token = await createPreviewLink(t.db, t.ctx, { type: 'staff', id: org.ownerId, label: null, ip: null }, event, grace);
    assert.equal((await staff.post(`/l/${token}`, {})).statusCode, 303);
    assert.equal((await staff.get(`/app/${event.id}/leads`)).statusCode, 200);
    const page = await staff.get(`/app/${event.id}/my-card`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-testid="my-lead-id">—</, 'a preview is not shown the lead id');
    const before = await exchanges(t);
    const adaLead = await leadIdOn(await inApp(t, event, ada), event);
    assert.equal((await staff.post(`/app/${event.id}/leads`, { leadId: adaLead })).statusCode, 403);
    assert.equal((await staff.post(`/app/${event.id}/my-card`, { share_email: '1' })).statusCode, 403);
    assert.equal(await exchanges(t), before);
  });

  test('lead attempts are limited per attendee: guessing stops, other attendees are not affected', async () => {
    const mallory = await createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: 'mallory@example.org', firstName: 'Mallory', lastName: 'Guess' });
    const guesser = await inApp(t, event, mallory, '198.51.100.7');
    const adaLead = await leadIdOn(await inApp(t, event, ada), event);
    const codes: number[] = [];
    for (let i = 0; i < LEAD_LIMITS.perAttendee.max; i++) {
      const guess = `ZZZZ-${String(2222 + i).replace(/[01]/g, '9')}`;
      codes.push((await postJson(t, guesser, event.id, { leadId: guess })).statusCode);
    }
    assert.ok(codes.every((c) => c === 404), `every guess answered, as unknown: ${codes.join(',')}`);
    const blocked = await postJson(t, guesser, event.id, { leadId: adaLead });
    assert.equal(blocked.statusCode, 429);
    assert.equal((blocked.json() as { error: { code: string } }).error.code, 'rate_limited');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    // Grace, from the same address, still collects.
    const graceBrowser = await inApp(t, event, grace, '198.51.100.7');
    assert.ok([200, 201].includes((await postJson(t, graceBrowser, event.id, { leadId: adaLead })).statusCode));
  });

  test('the pages need the app session of this event', async () => {
    for (const path of ['leads', 'my-card', 'cards', 'cards.csv']) {
      const response = await t.app.inject({ method: 'GET', url: `/app/${event.id}/${path}`, headers: { accept: 'text/html' } });
      assert.equal(response.statusCode, 303, path);
    }
    const edsger = await inApp(t, other.event, other.person);
    assert.equal((await edsger.get(`/app/${event.id}/cards`)).statusCode, 303, "another event's session opens nothing here");
    const anonymous = await t.app.inject({ method: 'POST', url: `/app/${event.id}/leads`, headers: { accept: 'application/json', 'content-type': 'application/json' }, payload: '{"leadId":"ABCD-2345"}' });
    assert.ok([401, 403].includes(anonymous.statusCode));
  });
});
