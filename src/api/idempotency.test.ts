import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { apiClient, createEventViaApi, type ApiClient } from '../../test/helpers/api.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';

describe('Idempotency-Key on API POSTs', () => {
  let t: TestApp;
  let api: ApiClient;
  let eventId: string;
  const people = () => `/events/${eventId}/participants`;
  const count = async () => (await api.get(`${people()}?limit=200`)).json().data.length as number;
  before(async () => {
    t = await createTestApp();
    api = await apiClient(t, (await seedOrganisation(t)).orgId);
    eventId = await createEventViaApi(api);
  });
  after(() => t.close());

  test('a POST repeated with the same Idempotency-Key creates one participant and replays the response', async () => {
    const headers = { 'idempotency-key': 'order-1001' };
    const body = { email: 'ida@example.org', first_name: 'Ida' };
    const first = await api.post(people(), body, headers);
    t.clock.advance(60_000);
    const again = await api.post(people(), body, headers);
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 201);
    assert.equal(again.body, first.body, 'the same response, byte for byte');
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(first.headers['idempotent-replayed'], undefined);
    assert.equal(await count(), 1);
    const created = await t.db.selectFrom('audit_log').select('id').where('action', '=', 'participant.created').execute();
    assert.equal(created.length, 1, 'one write, one audit entry');
  });

  test('same Idempotency-Key with another body gets 409', async () => {
    const headers = { 'idempotency-key': 'order-1002' };
    assert.equal((await api.post(people(), { email: 'jo@example.org' }, headers)).statusCode, 201);
    const other = await api.post(people(), { email: 'kim@example.org' }, headers);
    assert.equal(other.statusCode, 409);
    assert.equal(other.json().error.code, 'idempotency_conflict');
    const elsewhere = await api.post('/events', { name: 'X', starts_at: '2026-01-01T00:00:00Z', ends_at: '2026-01-01T01:00:00Z', time_zone: 'UTC' }, headers);
    assert.equal(elsewhere.statusCode, 409, 'another path with the same key is another request too');
    assert.equal((await api.get(`${people()}?q=kim`)).json().data.length, 0);
  });

  test('concurrent duplicates execute once', async () => {
    const headers = { 'idempotency-key': 'order-1003' };
    const body = { email: 'concurrent@example.org' };
    const before = await count();
    const responses = await Promise.all([1, 2, 3, 4].map(() => api.post(people(), body, headers)));
    assert.deepEqual(responses.map((r) => r.statusCode), [201, 201, 201, 201]);
    assert.equal(new Set(responses.map((r) => r.body)).size, 1);
    assert.equal(responses.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 3);
    assert.equal(await count(), before + 1);
  });

  test('a refused request does not use up its key', async () => {
    const headers = { 'idempotency-key': 'order-1004' };
    const refused = await api.post(people(), { email: 'not an email' }, headers);
    assert.equal(refused.statusCode, 400);
    const accepted = await api.post(people(), { email: 'fixed@example.org' }, headers);
    assert.equal(accepted.statusCode, 201);
  });

  test('keys expire after 24 hours', async () => {
    const headers = { 'idempotency-key': 'order-1005' };
    assert.equal((await api.post(people(), { email: 'early@example.org' }, headers)).statusCode, 201);
    t.clock.advance(23 * 3600_000);
    assert.equal((await api.post(people(), { email: 'late@example.org' }, headers)).statusCode, 409);
    t.clock.advance(2 * 3600_000);
    const reused = await api.post(people(), { email: 'late@example.org' }, headers);
    assert.equal(reused.statusCode, 201);
    assert.equal(reused.headers['idempotent-replayed'], undefined);
  });

  test('keys are per organisation', async () => {
    const other = await apiClient(t, (await seedOrganisation(t, 'Other')).orgId);
    const otherEvent = await createEventViaApi(other);
    const headers = { 'idempotency-key': 'shared-key' };
    assert.equal((await api.post(people(), { email: 'mine@example.org' }, headers)).statusCode, 201);
    const theirs = await other.post(`/events/${otherEvent}/participants`, { email: 'mine@example.org' }, headers);
    assert.equal(theirs.statusCode, 201);
    assert.equal(theirs.headers['idempotent-replayed'], undefined);
  });
});
