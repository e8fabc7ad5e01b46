import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { ApiClient, seedApiKey } from '../../test/helpers/api.js';
import { seedOrganisation, type Org } from '../../test/helpers/fixtures.js';
import { mintToken } from '../lib/tokens.js';
import { cryptoRandom } from '../lib/random.js';
import { API_RATE_LIMIT } from './index.js';

describe('API authentication', () => {
  let t: TestApp;
  let org: Org;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
  });
  after(() => t.close());

  test('missing, malformed, unknown and wrong-kind keys all get the same 401 invalid_api_key', async () => {
    const { key } = await seedApiKey(t, org.orgId);
    const tampered = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    const answers = [];
    for (const authorization of [
      undefined,
      'Bearer',
      'Basic dXNlcjpwYXNz',
      'Bearer not-a-key',
      `Bearer ${tampered}`,
      `Bearer ${mintToken('apikey', cryptoRandom)}`,
      `Bearer ${mintToken('session', cryptoRandom)}`,
      `Bearer ${'x'.repeat(5000)}`,
    ]) {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/events', headers: authorization ? { authorization } : {} });
      answers.push([response.statusCode, response.body, response.headers['www-authenticate']]);
    }
    for (const answer of answers) assert.deepEqual(answer, answers[0]);
    assert.equal(answers[0]?.[0], 401);
    assert.equal(JSON.parse(String(answers[0]?.[1])).error.code, 'invalid_api_key');
    assert.equal((await new ApiClient(t, key).get('/events')).statusCode, 200);
  });

  test('last use is recorded, at most once a minute', async () => {
    const { id, key } = await seedApiKey(t, org.orgId);
    const api = new ApiClient(t, key);
    const lastUsed = async () => (await t.db.selectFrom('api_keys').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;
    assert.equal(await lastUsed(), null);
    await api.get('/events');
    const first = await lastUsed();
    assert.equal(first, t.clock.now().toISOString());
    t.clock.advance(30_000);
    await api.get('/events');
    assert.equal(await lastUsed(), first, 'not rewritten within the minute');
    t.clock.advance(31_000);
    await api.get('/events');
    assert.equal(await lastUsed(), t.clock.now().toISOString());
  });

  test(`each key is rate limited to ${API_RATE_LIMIT} requests a minute, independently of other keys`, async () => {
    const busy = new ApiClient(t, (await seedApiKey(t, org.orgId)).key);
    const calm = new ApiClient(t, (await seedApiKey(t, org.orgId)).key);
    let last = await busy.get('/events');
    for (let i = 1; i <= API_RATE_LIMIT; i++) last = await busy.get('/events');
    assert.equal(last.statusCode, 429);
    assert.equal(last.json().error.code, 'rate_limited');
    assert.ok(Number(last.headers['retry-after']) > 0);
    assert.equal((await calm.get('/events')).statusCode, 200);
  });

  test('a staff session cookie is not an API credential', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/events', headers: { cookie: 'tessera_staff=anything' } });
    assert.equal(response.statusCode, 401);
  });
});
