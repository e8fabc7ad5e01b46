import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { EVENT, apiClient, createEventViaApi, type ApiClient } from '../../test/helpers/api.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';

function assertCleanError(response: LightMyRequestResponse, status: number, code: string, what: string) {
  assert.equal(response.statusCode, status, `${what}: ${response.body}`);
  assert.match(String(response.headers['content-type']), /^application\/json/, what);
  const body = JSON.parse(response.body) as { error: { code: string; message: string } };
  assert.equal(body.error.code, code, what);
  assert.equal(typeof body.error.message, 'string', what);
  assert.doesNotMatch(response.body, /\bat .+\.(ts|js):\d+|stack|node_modules/, `${what}: no stack trace`);
}

describe('API input validation', () => {
  let t: TestApp;
  let api: ApiClient;
  let eventId: string;
  let participantId: string;
  before(async () => {
    t = await createTestApp();
    api = await apiClient(t, (await seedOrganisation(t)).orgId);
    eventId = await createEventViaApi(api);
    await api.post(`/events/${eventId}/fields`, { key: 'diet', label: 'Diet', type: 'single_choice', options: ['vegan', 'none'] });
    participantId = (await api.post(`/events/${eventId}/participants`, { email: 'ok@example.org' })).json().id;
  });
  after(() => t.close());

  test('unknown fields, over-long strings, wrong types and malformed ids get 400 with code validation_failed and no stack', async () => {
    const people = `/events/${eventId}/participants`;
    const cases: Array<[string, () => Promise<LightMyRequestResponse>]> = [
      ['unknown event field', () => api.post('/events', { ...EVENT, name: 'Other', owner_id: 'x' })],
      ['unknown participant field', () => api.post(people, { email: 'a@example.org', is_admin: true })],
      ['unknown custom field', () => api.post(people, { email: 'a@example.org', fields: { shoe_size: '42' } })],
      ['unknown patch field', () => api.patch(`${people}/${participantId}`, { org_id: 'x' })],
      ['unknown query parameter', () => api.get(`${people}?debug=1`)],
      ['over-long event name', () => api.post('/events', { ...EVENT, name: 'x'.repeat(201) })],
      ['over-long email', () => api.post(people, { email: `${'a'.repeat(250)}@example.org` })],
      ['over-long first name', () => api.post(people, { email: 'a@example.org', first_name: 'x'.repeat(101) })],
      ['over-long field value', () => api.post(people, { email: 'a@example.org', fields: { diet: 'v'.repeat(6000) } })],
      ['over-long search', () => api.get(`${people}?q=${'x'.repeat(201)}`)],
      ['over-long idempotency key', () => api.post(people, { email: 'a@example.org' }, { 'idempotency-key': 'k'.repeat(201) })],
      ['number for a name', () => api.post(people, { email: 'a@example.org', first_name: 5 })],
      ['null for a name', () => api.post(people, { email: 'a@example.org', first_name: null })],
      ['list for an email', () => api.post(people, { email: ['a@example.org'] })],
      ['object for a field value', () => api.post(people, { email: 'a@example.org', fields: { diet: { $ne: 1 } } })],
      ['unknown status', () => api.post(people, { email: 'a@example.org', status: 'vip' })],
      ['string for a boolean', () => api.post(`/events/${eventId}/fields`, { key: 'x', label: 'X', type: 'checkbox', required: 'yes' })],
      ['text for a limit', () => api.get(`${people}?limit=many`)],
      ['limit above 200', () => api.get(`${people}?limit=201`)],
      ['array body', () => api.post(people, [{ email: 'a@example.org' }])],
      ['malformed event id', () => api.get('/events/123')],
      ['upper-case event id', () => api.get(`/events/${eventId.toUpperCase()}`)],
      ['malformed participant id', () => api.get(`${people}/${participantId}x`)],
      ['injection in an id', () => api.get(`${people}/'%20or%201=1--`)],
      ['malformed field id', () => api.delete(`/events/${eventId}/fields/nope`)],
      ['malformed cursor', () => api.get(`${people}?cursor=${encodeURIComponent('{"a":1}')}`)],
      ['cursor of another sort', () => api.get(`${people}?sort=email&cursor=name.asc.WyJ4Il0`)],
      ['bad date', () => api.post('/events', { ...EVENT, name: 'Dates', starts_at: 'tomorrow' })],
      ['invalid email', () => api.post(people, { email: 'not an email' })],
    ];
    for (const [what, attempt] of cases) assertCleanError(await attempt(), 400, 'validation_failed', what);
  });

  test('a body that is not JSON gets 400 bad_request or 415, never a 500', async () => {
    const broken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    assertCleanError(broken, 400, 'bad_request', 'truncated JSON');
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    });
    assertCleanError(form, 415, 'unsupported_media_type', 'form body');
    const poisoned = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' },
      payload: '{"__proto__": {"admin": true}, "name": "x"}',
    });
    assertCleanError(poisoned, 400, 'bad_request', 'prototype poisoning');
  });

  test('an over-large body gets 413 payload_too_large; bulk bodies may be larger', async () => {
    const big = { email: 'big@example.org', first_name: 'x'.repeat(2 * 1024 * 1024) };
    assertCleanError(await api.post(`/events/${eventId}/participants`, big), 413, 'payload_too_large', 'single participant over 1 MB');
    await api.post(`/events/${eventId}/fields`, { key: 'notes', label: 'Notes', type: 'long_text' });
    const items = Array.from({ length: 1000 }, (_, i) => ({ email: `big${i}@example.org`, fields: { notes: 'n'.repeat(1500) } }));
    assert.ok(JSON.stringify({ items }).length > 1024 * 1024);
    const bulk = await api.post(`/events/${eventId}/participants/bulk`, { items });
    assert.equal(bulk.statusCode, 200, bulk.body);
    await t.db.deleteFrom('participants').where('email', 'like', 'big%').execute();
  });

  test('validation errors say where: details carry the snake_case path', async () => {
    const response = await api.post('/events', { ...EVENT, name: 'Backwards', ends_at: '2020-01-01T00:00:00Z' });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json().error.details.map((d: { path: string }) => d.path), ['/ends_at']);
    const unknown = await api.post(`/events/${eventId}/participants`, { email: 'b@example.org', nickname: 'B' });
    assert.deepEqual(unknown.json().error.details.map((d: { path: string }) => d.path), ['/nickname']);
  });

  test('nothing was written by refused requests', async () => {
    const list = (await api.get(`/events/${eventId}/participants`)).json();
    assert.deepEqual(list.data.map((p: { email: string }) => p.email), ['ok@example.org']);
    const events = (await api.get('/events')).json();
    assert.equal(events.data.length, 1);
  });
});
