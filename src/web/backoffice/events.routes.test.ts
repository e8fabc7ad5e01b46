import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { createEvent, getEvent } from '../../modules/events/index.js';
import { createParticipant } from '../../modules/participants/index.js';

/** Asserts on a page without dumping the whole page into the test output. */
function has(body: string, expected: string | RegExp, message = `page contains ${String(expected)}`): void {
  assert.ok(typeof expected === 'string' ? body.includes(expected) : expected.test(body), message);
}

const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };

const EVENT = {
  name: 'Lyon Summit 2026',
  slug: '',
  starts_at: '2026-09-14T09:00',
  ends_at: '2026-09-15T18:00',
  time_zone: 'Europe/Paris',
  venue: 'Cité Internationale',
  status: 'published',
};

describe('back-office events', () => {
  let t: TestApp;
  let org: Org;
  let admin: Session;
  let scanner: Session;
  const events = (suffix = '') => `/admin/o/${org.orgId}/events${suffix}`;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    admin = await signedIn(t, (await seedStaff(t, org.orgId, 'admin')).email);
    scanner = await signedIn(t, (await seedStaff(t, org.orgId, 'scanner')).email);
  });
  after(() => t.close());

  test('an admin creates an event with three custom fields and sees it listed', async () => {
    const created = await admin.post(events(), EVENT);
    assert.equal(created.statusCode, 303);
    const dashboard = String(created.headers.location);
    assert.match(dashboard, /^\/admin\/o\/[0-9a-z]{26}\/events\/[0-9a-z]{26}\?done=created$/);
    const eventUrl = dashboard.split('?')[0]!;
    const fields: Array<Record<string, string>> = [
      { key: 'company', label: 'Company', type: 'text' },
      { key: 'diet', label: 'Diet', type: 'single_choice', options: 'None\nVegetarian\nVegan', required: 'on' },
      { key: 'newsletter', label: 'Newsletter', type: 'checkbox' },
    ];
    for (const field of fields) {
      const added = await admin.post(`${eventUrl}/fields`, field);
      assert.equal(added.statusCode, 303, field.key);
    }
    const list = await admin.get(events());
    assert.equal(list.statusCode, 200);
    has(list.body, 'Lyon Summit 2026');
    has(list.body, 'Cité Internationale');
    has(list.body, /14 Sept 2026, 09:00 – Tue, 15 Sept 2026, 18:00/, 'dates are shown in the event time zone');
    const fieldsPage = await admin.get(`${eventUrl}/fields`);
    const order = ['Company', 'Diet', 'Newsletter'].map((label) => fieldsPage.body.indexOf(`<td>${label}</td>`));
    assert.ok(order.every((i) => i > 0) && order[0]! < order[1]! && order[1]! < order[2]!, 'the three fields are listed in order');
    has(fieldsPage.body, 'None · Vegetarian · Vegan');
  });

  test('start and end are typed in the event time zone and stored in UTC', async () => {
    const created = await admin.post(events(), { ...EVENT, name: 'New York Meetup', time_zone: 'America/New_York', starts_at: '2026-11-01T01:30', ends_at: '2026-11-01T20:00' });
    assert.equal(created.statusCode, 303);
    const eventId = String(created.headers.location).split('/').pop()!.split('?')[0]!;
    const event = await getEvent(t.db, org.orgId, eventId);
    assert.equal(event.startsAt, '2026-11-01T05:30:00.000Z', 'after the DST change, New York is UTC-5');
    assert.equal(event.endsAt, '2026-11-02T01:00:00.000Z');
    assert.equal(event.slug, 'new-york-meetup', 'an empty slug is derived from the name');
    const edit = await admin.get(events(`/${eventId}/edit`));
    has(edit.body, 'value="2026-11-01T01:30"', 'the edit form shows the time as typed');
    has(edit.body, /<option value="America\/New_York" selected/);
  });

  test('the new event form defaults to Europe/Paris and lists the IANA time zones', async () => {
    const form = await admin.get(events('/new'));
    assert.equal(form.statusCode, 200);
    has(form.body, /<option value="Europe\/Paris" selected/);
    has(form.body, 'value="Asia/Tokyo"');
    has(form.body, 'type="datetime-local"');
  });

  test('an event ending before it starts is refused and the form keeps what was typed', async () => {
    const response = await admin.post(events(), { ...EVENT, name: 'Backwards Day', ends_at: '2026-09-13T09:00' });
    assert.equal(response.statusCode, 400);
    has(response.body, 'The event cannot end before it starts');
    has(response.body, 'value="Backwards Day"');
    has(response.body, 'value="2026-09-13T09:00"');
    has(response.body, 'value="Cité Internationale"');
  });

  test('a missing start time and a slug already in use are shown next to their fields', async () => {
    const noStart = await admin.post(events(), { ...EVENT, name: 'No Start', starts_at: '' });
    assert.equal(noStart.statusCode, 400);
    assert.ok(noStart.body.includes('Give the start date and time'));
    await admin.post(events(), { ...EVENT, name: 'Slug Owner', slug: 'taken-slug' });
    const clash = await admin.post(events(), { ...EVENT, name: 'Slug Thief', slug: 'taken-slug' });
    assert.equal(clash.statusCode, 409);
    has(clash.body, /id="err-slug">Another event already uses that slug/);
    has(clash.body, 'value="Slug Thief"');
  });

  test('editing an event saves it and an emptied slug keeps the current one', async () => {
    const event = await createEvent(t.db, t.ctx, cli, org.orgId, { name: 'Edit Me', startsAt: '2026-10-01T08:00:00Z', endsAt: '2026-10-01T16:00:00Z', timeZone: 'UTC' });
    const saved = await admin.post(events(`/${event.id}/edit`), { ...EVENT, name: 'Edited', slug: '', time_zone: 'UTC', status: 'closed' });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, events(`/${event.id}?done=saved`));
    const after = await getEvent(t.db, org.orgId, event.id);
    assert.equal(after.name, 'Edited');
    assert.equal(after.slug, 'edit-me');
    assert.equal(after.status, 'closed');
    assert.equal(after.startsAt, '2026-09-14T09:00:00.000Z');
  });

  test('the list and the dashboard show participant counts per status', async () => {
    const event = await createEvent(t.db, t.ctx, cli, org.orgId, { name: 'Counted', startsAt: '2026-12-01T08:00:00Z', endsAt: '2026-12-01T16:00:00Z', timeZone: 'UTC' });
    for (const [i, status] of ['registered', 'registered', 'invited'].entries()) {
      await createParticipant(t.db, t.ctx, cli, org.orgId, event.id, { email: `counted${i}@example.org`, status });
    }
    const list = await admin.get(events());
    has(list.body, /Counted<\/a>(?:(?!<\/tr>).)*3 <span class="muted">\(2 registered\)/s);
    const dashboard = await admin.get(events(`/${event.id}`));
    assert.equal(dashboard.statusCode, 200);
    has(dashboard.body, /<b>3<\/b> participants/);
    has(dashboard.body, /<b>2<\/b><a href="[^"]+\/participants\?status=registered">registered/);
    has(dashboard.body, `href="${events(`/${event.id}/import`)}"`);
    has(dashboard.body, `href="${events(`/${event.id}/participants.csv`)}"`);
  });

  test('a scanner sees the events list and dashboard but cannot create or edit events', async () => {
    const event = await createEvent(t.db, t.ctx, cli, org.orgId, { name: 'Scanned', startsAt: '2026-12-02T08:00:00Z', endsAt: '2026-12-02T16:00:00Z', timeZone: 'UTC' });
    const list = await scanner.get(events());
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes('New event'));
    const dashboard = await scanner.get(events(`/${event.id}`));
    assert.equal(dashboard.statusCode, 200);
    assert.ok(!dashboard.body.includes('/participants"'), 'no link to a page the scanner cannot open');
    assert.equal((await scanner.get(events('/new'))).statusCode, 403);
    assert.equal((await scanner.post(events(), EVENT)).statusCode, 403);
    assert.equal((await scanner.get(events(`/${event.id}/edit`))).statusCode, 403);
  });

  test('another organisation and malformed ids get 404', async () => {
    const other = await seedOrganisation(t, 'Other Org');
    const theirs = await createEvent(t.db, t.ctx, cli, other.orgId, { name: 'Theirs', startsAt: '2026-12-02T08:00:00Z', endsAt: '2026-12-02T16:00:00Z', timeZone: 'UTC' });
    assert.equal((await admin.get(`/admin/o/${other.orgId}/events`)).statusCode, 404);
    assert.equal((await admin.get(events(`/${theirs.id}`))).statusCode, 404);
    assert.equal((await admin.get(events(`/${theirs.id}/edit`))).statusCode, 404);
    assert.equal((await admin.post(events(`/${theirs.id}/edit`), EVENT)).statusCode, 404);
    assert.equal((await admin.get(events('/not-an-id'))).statusCode, 404);
    assert.equal((await admin.get('/admin/o/not-an-id/events')).statusCode, 404);
    assert.equal((await getEvent(t.db, other.orgId, theirs.id)).name, 'Theirs', 'unchanged');
  });
});
