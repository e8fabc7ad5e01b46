import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient, type ApiClient } from '../../../test/helpers/api.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { mailKit, openLink, sendTemplate, tokenIn, type MailKit } from '../../../test/helpers/secure-links.js';
import { systemActor } from '../../lib/context.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import { createParticipant, type Participant } from '../../modules/participants/index.js';

/**
 * A code is drawn whenever someone becomes registered, whatever the path: these are all the
 * paths there are, each through its own HTTP edge. Nobody else gets one.
 */
describe('every path to "registered" draws an access code, and only those', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let api: ApiClient;
  let mail: MailKit;
  let event: Event;
  let n = 0;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    api = await apiClient(t, org.orgId);
    mail = await mailKit(t);
    event = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: 'Summit', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris', status: 'published' });
  });
  after(async () => {
    await mail.close();
    await t.close();
  });

  const email = () => `person${(n += 1)}@example.org`;
  const codeOf = async (participantId: string) => t.db.selectFrom('access_codes').select(['origin', 'event_id']).where('participant_id', '=', participantId).executeTakeFirst();
  const idOf = async (address: string) => (await t.db.selectFrom('participants').select('id').where('event_id', '=', event.id).where('email', '=', address).executeTakeFirstOrThrow()).id;
  const person = (status: Participant['status']) => createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: email(), firstName: 'Pat', lastName: 'Doe', status });

  test('back-office: a participant created as registered has a code; one created as imported has none until registered by an edit', async () => {
    const base = `/admin/o/${org.orgId}/events/${event.id}/participants`;
    const registered = email();
    assert.equal((await owner.post(base, { email: registered, first_name: 'Reg', last_name: 'Istered', status: 'registered' })).statusCode, 303);
    assert.deepEqual(await codeOf(await idOf(registered)), { origin: 'generated', event_id: event.id });
    const imported = email();
    assert.equal((await owner.post(base, { email: imported, first_name: 'Imp', last_name: 'Orted', status: 'imported' })).statusCode, 303);
    const id = await idOf(imported);
    assert.equal(await codeOf(id), undefined);
    assert.equal((await owner.post(`${base}/${id}/edit`, { email: imported, first_name: 'Imp', last_name: 'Orted', status: 'registered' })).statusCode, 303);
    assert.equal((await codeOf(id))?.origin, 'generated');
  });

  test('API: single create and bulk upsert with status registered', async () => {
    const single = await api.post(`/events/${event.id}/participants`, { email: email(), status: 'registered' });
    assert.equal(single.statusCode, 201, single.body);
    assert.ok(await codeOf((single.json() as { id: string }).id));
    const bulk = await api.post(`/events/${event.id}/participants/bulk`, { items: [{ email: email(), status: 'registered' }, { email: email(), status: 'invited' }] });
    assert.equal(bulk.statusCode, 200, bulk.body);
    const [first, second] = [n - 1, n].map((i) => `person${i}@example.org`);
    assert.ok(await codeOf(await idOf(first!)));
    assert.equal(await codeOf(await idOf(second!)), undefined, 'invited: no code');
  });

  test('public registration page', async () => {
    const address = email();
    const browser = new Session(t.app);
    const sent = await browser.post(`/e/${event.id}/register`, { email: address, first_name: 'Pub', last_name: 'Lic' });
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 300));
    assert.ok(await codeOf(await idOf(address)));
  });

  test('secure registration link for an imported person, and an accepted RSVP', async () => {
    const imported = await person('imported');
    await sendTemplate(t, imported, '<p><a href="{{ registration_link }}">register</a></p>');
    await mail.drain();
    const browser = new Session(t.app);
    const form = await openLink(browser, tokenIn(mail.lastMailTo(imported.email)));
    assert.equal((await browser.post(form, { first_name: 'Imp', last_name: 'Orted' })).statusCode, 303);
    assert.ok(await codeOf(imported.id));

    const invited = await person('invited');
    await sendTemplate(t, invited, '<p><a href="{{ rsvp_link }}">answer</a></p>');
    await mail.drain();
    const guest = new Session(t.app);
    await openLink(guest, tokenIn(mail.lastMailTo(invited.email)));
    assert.equal(await codeOf(invited.id), undefined, 'not before the answer');
    assert.equal((await guest.post(`/e/${event.id}/rsvp`, { answer: 'accepted', first_name: '', last_name: '' })).statusCode, 303);
    assert.ok(await codeOf(invited.id));
  });

  test('CSV import with a status column', async () => {
    const [yes, no] = [email(), email()];
    const path = `/admin/o/${org.orgId}/events/${event.id}/import`;
    const form = new FormData();
    form.append('file', new Blob([`email,status\n${yes},registered\n${no},imported\n`], { type: 'text/csv' }), 'people.csv');
    const request = new Response(form);
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `${path}?_csrf=${encodeURIComponent(await owner.csrf())}`,
      headers: { accept: 'text/html', cookie: owner.cookieHeader(), 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    assert.equal(uploaded.statusCode, 303, uploaded.body.slice(0, 300));
    const url = String(uploaded.headers.location);
    assert.equal((await owner.post(`${url}/check`, { column: ['email', 'status'], policy: 'skip' })).statusCode, 303);
    assert.equal((await owner.post(`${url}/run`, {})).statusCode, 303);
    assert.ok(await codeOf(await idOf(yes)));
    assert.equal(await codeOf(await idOf(no)), undefined);
  });

  test('declined, cancelled, invited and imported people have no code', async () => {
    for (const status of ['declined', 'cancelled', 'invited', 'imported'] as const) assert.equal(await codeOf((await person(status)).id), undefined, status);
  });
});
