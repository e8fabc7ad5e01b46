import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { apiClient, createEventViaApi, type ApiClient } from '../../test/helpers/api.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';

describe('API tenancy', () => {
  let t: TestApp;
  let a: ApiClient;
  let b: ApiClient;
  let bEvent: string;
  let bField: string;
  let bParticipant: string;
  let aEvent: string;
  before(async () => {
    t = await createTestApp();
    a = await apiClient(t, (await seedOrganisation(t, 'Org A')).orgId);
    b = await apiClient(t, (await seedOrganisation(t, 'Org B')).orgId);
    aEvent = await createEventViaApi(a);
    bEvent = await createEventViaApi(b);
    bField = (await b.post(`/events/${bEvent}/fields`, { key: 'company', label: 'Company', type: 'text' })).json().id;
    bParticipant = (await b.post(`/events/${bEvent}/participants`, { email: 'bea@example.org', first_name: 'Bea' })).json().id;
  });
  after(() => t.close());

  test("a key of organisation A gets 404 for organisation B's event and participant", async () => {
    // One after the other: each request must fail on its own, not thanks to another's side effects.
    const attempts: Array<[string, () => Promise<LightMyRequestResponse>]> = [
      ['get event', () => a.get(`/events/${bEvent}`)],
      ['patch event', () => a.patch(`/events/${bEvent}`, { name: 'Taken over' })],
      ['list fields', () => a.get(`/events/${bEvent}/fields`)],
      ['add field', () => a.post(`/events/${bEvent}/fields`, { key: 'x', label: 'X', type: 'text' })],
      ['patch field', () => a.patch(`/events/${bEvent}/fields/${bField}`, { label: 'Mine' })],
      ['delete field', () => a.delete(`/events/${bEvent}/fields/${bField}`)],
      ['list participants', () => a.get(`/events/${bEvent}/participants`)],
      ['get participant', () => a.get(`/events/${bEvent}/participants/${bParticipant}`)],
      ['patch participant', () => a.patch(`/events/${bEvent}/participants/${bParticipant}`, { first_name: 'Mallory' })],
      ['add participant', () => a.post(`/events/${bEvent}/participants`, { email: 'mallory@example.org' })],
      ['bulk upsert', () => a.post(`/events/${bEvent}/participants/bulk`, { items: [{ email: 'bea@example.org', first_name: 'Mallory' }] })],
      ["B's participant through A's event", () => a.get(`/events/${aEvent}/participants/${bParticipant}`)],
      ["B's field through A's event", () => a.patch(`/events/${aEvent}/fields/${bField}`, { label: 'Mine' })],
    ];
    for (const [what, attempt] of attempts) {
      const response = await attempt();
      assert.equal(response.statusCode, 404, what);
      assert.equal(response.json().error.code, 'not_found', what);
    }
    const listed = (await a.get('/events')).json().data.map((e: { id: string }) => e.id);
    assert.deepEqual(listed, [aEvent]);

    const event = (await b.get(`/events/${bEvent}`)).json();
    assert.notEqual(event.name, 'Taken over');
    const participant = (await b.get(`/events/${bEvent}/participants/${bParticipant}`)).json();
    assert.equal(participant.first_name, 'Bea');
    const fields = (await b.get(`/events/${bEvent}/fields`)).json().data;
    assert.deepEqual(fields.map((f: { key: string; label: string }) => [f.key, f.label]), [['company', 'Company']]);
    const people = (await b.get(`/events/${bEvent}/participants`)).json().data;
    assert.equal(people.length, 1);
  });

  test('a 404 for another organisation looks exactly like a 404 for nothing at all', async () => {
    const foreign = await a.get(`/events/${bEvent}`);
    const missing = await a.get('/events/01aaaaaaaaaaaaaaaaaaaaaaaa');
    assert.equal(foreign.statusCode, missing.statusCode);
    assert.equal(foreign.body, missing.body);
  });
});
