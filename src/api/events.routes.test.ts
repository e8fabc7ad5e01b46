import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { EVENT, apiClient, createEventViaApi, type ApiClient } from '../../test/helpers/api.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';

describe('events and custom fields through the API', () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp();
    api = await apiClient(t, (await seedOrganisation(t)).orgId);
  });
  after(() => t.close());

  test('an event is created, read, changed and listed page by page', async () => {
    const created = await api.post('/events', { ...EVENT, name: 'Open Days', venue: 'Hall 5' });
    assert.equal(created.statusCode, 201);
    const event = created.json();
    assert.deepEqual(
      { slug: event.slug, starts_at: event.starts_at, time_zone: event.time_zone, venue: event.venue, status: event.status },
      { slug: 'open-days', starts_at: '2026-09-14T07:00:00.000Z', time_zone: 'Europe/Paris', venue: 'Hall 5', status: 'draft' },
    );
    const changed = await api.patch(`/events/${event.id}`, { status: 'published', venue: null });
    assert.equal(changed.statusCode, 200);
    assert.equal(changed.json().status, 'published');
    assert.equal(changed.json().venue, null);
    assert.equal(changed.json().name, 'Open Days');
    assert.deepEqual((await api.get(`/events/${event.id}`)).json(), changed.json());

    const taken = await api.post('/events', { ...EVENT, name: 'Open Days' });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().error.code, 'duplicate_slug');

    for (let i = 0; i < 4; i++) await createEventViaApi(api);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string }>; next_cursor: string | null } = (await api.get(`/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      ids.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
  });

  test('custom fields are added, changed, listed in order and removed', async () => {
    const eventId = await createEventViaApi(api);
    const base = `/events/${eventId}/fields`;
    const company = (await api.post(base, { key: 'company', label: 'Company', type: 'text', required: true })).json();
    const diet = (await api.post(base, { key: 'diet', label: 'Diet', type: 'multiple_choice', options: ['vegan', 'halal'] })).json();
    assert.equal(company.required, true);
    assert.deepEqual(diet.options, ['vegan', 'halal']);

    const duplicate = await api.post(base, { key: 'company', label: 'Again', type: 'text' });
    assert.equal(duplicate.statusCode, 409);
    assert.equal(duplicate.json().error.code, 'duplicate_field_key');
    const reserved = await api.post(base, { key: 'email', label: 'Email', type: 'email' });
    assert.equal(reserved.statusCode, 400);

    const moved = await api.patch(`${base}/${diet.id}`, { position: 0, options: ['vegan', 'halal', 'kosher'] });
    assert.equal(moved.statusCode, 200);
    assert.equal(moved.json().label, 'Diet');
    const listed = (await api.get(base)).json();
    assert.deepEqual(listed.data.map((f: { key: string }) => f.key), ['diet', 'company']);
    assert.equal(listed.next_cursor, null);

    const missing = await api.post(`/events/${eventId}/participants`, { email: 'x@example.org' });
    assert.equal(missing.statusCode, 400, 'a required field is required');
    const removed = await api.delete(`${base}/${company.id}`);
    assert.equal(removed.statusCode, 204);
    assert.equal(removed.body, '');
    assert.equal((await api.delete(`${base}/${company.id}`)).statusCode, 404);
    assert.equal((await api.post(`/events/${eventId}/participants`, { email: 'x@example.org', fields: { diet: ['kosher'] } })).statusCode, 201);
  });

  test('an unknown path under /api gets a JSON 404', async () => {
    const response = await api.get('/api/v1/tickets');
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'not_found');
  });
});
