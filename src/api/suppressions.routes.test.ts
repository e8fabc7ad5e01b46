import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { apiClient, type ApiClient } from '../../test/helpers/api.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp, testWorker, transportTo } from '../../test/helpers/outbox.js';
import { enqueueEmail } from '../modules/emailing/index.js';

describe('suppressions API', () => {
  let t: TestApp;
  let a: ApiClient;
  let b: ApiClient;
  let orgA: string;
  before(async () => {
    t = await createTestApp();
    orgA = (await seedOrganisation(t, 'Org A')).orgId;
    a = await apiClient(t, orgA);
    b = await apiClient(t, (await seedOrganisation(t, 'Org B')).orgId);
  });
  after(() => t.close());

  test('an asynchronous bounce reported through the API stops mail to the address, and lifting it lets mail through again', async () => {
    const created = await a.post('/suppressions', { email: 'Late.Bounce@Example.org', reason: 'hard_bounce', detail: '550 5.1.1 user unknown (DSN received later)' });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json(), {
      email: 'late.bounce@example.org',
      reason: 'hard_bounce',
      scope: 'all',
      detail: '550 5.1.1 user unknown (DSN received later)',
      created_at: '2026-06-01T08:00:00.000Z',
    });

    const smtp = await startTestSmtp();
    const transport = transportTo(t, smtp);
    try {
      const { event, participants, template } = await seedMailing(t, orgA, [{ email: 'late.bounce@example.org', firstName: 'Late', lastName: 'Bounce' }]);
      const send = () => enqueueEmail(t.db, t.ctx, { orgId: orgA, eventId: event.id, templateId: template.id, category: 'transactional', recipient: { kind: 'participant', id: participants[0]!.id, email: 'late.bounce@example.org', name: 'Late' } });
      const refused = await send();
      assert.deepEqual([refused.status, refused.reason], ['skipped', 'hard bounce: 550 5.1.1 user unknown (DSN received later)']);

      assert.equal((await a.delete('/suppressions/late.bounce%40example.org')).statusCode, 204);
      assert.equal((await send()).status, 'queued');
      await testWorker(t, transport).runOnce();
      assert.deepEqual(smtp.received.map((m) => m.rcptTo[0]), ['late.bounce@example.org']);
      assert.equal((await a.delete('/suppressions/late.bounce%40example.org')).statusCode, 404, 'nothing left to lift');
    } finally {
      await transport.close();
      await smtp.close();
    }
    const actions = await t.db.selectFrom('audit_log').select(['action', 'actor_type']).where('target_type', '=', 'email_suppression').orderBy('id').execute();
    assert.deepEqual(actions, [
      { action: 'email_suppression.added', actor_type: 'api_key' },
      { action: 'email_suppression.removed', actor_type: 'api_key' },
    ]);
  });

  test('list newest first, search by address, page with next_cursor; scope defaults by reason', async () => {
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1_000);
      const response = await a.post('/suppressions', { email: `list${i}@example.org`, reason: i % 2 ? 'unsubscribed' : 'invalid' });
      assert.equal(response.statusCode, 201);
    }
    const first = (await a.get('/suppressions?limit=2')).json();
    assert.deepEqual(first.data.map((s: { email: string }) => s.email), ['list4@example.org', 'list3@example.org']);
    assert.deepEqual(first.data.map((s: { scope: string }) => s.scope), ['all', 'marketing']);
    const second = (await a.get(`/suppressions?limit=2&cursor=${first.next_cursor}`)).json();
    assert.deepEqual(second.data.map((s: { email: string }) => s.email), ['list2@example.org', 'list1@example.org']);
    const third = (await a.get(`/suppressions?limit=2&cursor=${second.next_cursor}`)).json();
    assert.deepEqual([third.data.map((s: { email: string }) => s.email), third.next_cursor], [['list0@example.org'], null]);
    const found = (await a.get('/suppressions?q=LIST3')).json();
    assert.deepEqual(found.data.map((s: { email: string }) => s.email), ['list3@example.org']);
    assert.deepEqual((await a.get('/suppressions?q=%25')).json().data, [], 'LIKE wildcards are text');
  });

  test('bad input is a 400 with a stable code; nothing is written', async () => {
    const cases: Array<[unknown, string]> = [
      [{ email: 'not an address', reason: 'hard_bounce' }, '/email'],
      [{ email: 'x@example.org', reason: 'spam' }, '/reason'],
      [{ email: 'x@example.org', reason: 'hard_bounce', scope: 'marketing' }, '/scope'],
      [{ email: 'x@example.org', reason: 'unsubscribed', extra: 1 }, ''],
      [{ email: 'x@example.org\r\nBcc: y@example.org', reason: 'invalid' }, '/email'],
    ];
    for (const [body, path] of cases) {
      const response = await a.post('/suppressions', body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.json().error.code, 'validation_failed');
      if (path) assert.ok(JSON.stringify(response.json().error.details).includes(path), `${JSON.stringify(body)} names ${path}`);
    }
    assert.equal((await a.get('/suppressions/../suppressions?cursor=!!')).statusCode, 400);
    assert.equal((await a.get('/suppressions?q=x@example.org')).json().data.length, 0);
  });

  test("another organisation's key neither sees nor lifts them", async () => {
    await a.post('/suppressions', { email: 'mine@example.org', reason: 'unsubscribed' });
    assert.deepEqual((await b.get('/suppressions')).json().data, []);
    assert.equal((await b.delete('/suppressions/mine%40example.org')).statusCode, 404);
    assert.equal((await a.get('/suppressions?q=mine')).json().data.length, 1);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/suppressions' })).statusCode, 401, 'a key is required');
  });

  test('the OpenAPI document describes the suppression routes', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const list = doc.paths['/api/v1/suppressions'];
    assert.ok(list.get && list.post);
    assert.ok(doc.paths['/api/v1/suppressions/{email}'].delete);
    assert.deepEqual(list.post.requestBody.content['application/json'].schema.properties.reason.enum, ['hard_bounce', 'unsubscribed', 'invalid']);
    assert.ok(doc.tags.some((tag: { name: string }) => tag.name === 'Suppressions'));
  });
});
