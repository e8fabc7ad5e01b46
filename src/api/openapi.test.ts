import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';

describe('OpenAPI document and docs', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('/api/openapi.json is OpenAPI 3.1 and lists the participant routes', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const doc = response.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.components.securitySchemes.apiKey.scheme, 'bearer');
    assert.deepEqual(doc.security, [{ apiKey: [] }]);
    assert.deepEqual(doc.servers, [{ url: 'https://tessera.test' }]);
    const participants = doc.paths['/api/v1/events/{eventId}/participants'];
    assert.ok(participants.get && participants.post);
    assert.ok(doc.paths['/api/v1/events/{eventId}/participants/{participantId}'].patch);
    assert.ok(doc.paths['/api/v1/events/{eventId}/participants/bulk'].post);
    assert.ok(doc.paths['/api/v1/events/{eventId}/fields/{fieldId}'].delete);
    const params = participants.get.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`);
    for (const name of ['query:cursor', 'query:limit', 'query:q', 'query:status', 'path:eventId']) assert.ok(params.includes(name), name);
    const post = participants.post;
    assert.ok(post.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key'));
    assert.equal(post.requestBody.content['application/json'].schema.additionalProperties, false);
    assert.ok(post.responses['201'] && post.responses['409'] && post.responses['401']);
    assert.ok(post.responses['400'].content['application/json'].schema.properties.error.properties.code.enum.includes('validation_failed'));
    assert.ok(!Object.keys(doc.paths).some((path) => !path.startsWith('/api/v1/')), 'only API routes, no pages');
  });

  test('/api/docs is served from bundled files under our own Content-Security-Policy', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/api/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Tessera API/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    for (const src of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const url = src[1] ?? '';
      assert.ok(url.startsWith('/api/docs/'), `${url} is ours`);
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 200, url);
    }
    const spec = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    assert.equal(spec.json().openapi, '3.1.0');
  });
});
