import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { Session } from '../../test/helpers/browser-session.js';
import { PASSWORD } from '../../test/helpers/fixtures.js';
import { issueSetupToken } from '../modules/setup/index.js';

let t: TestApp;
let logs = '';
before(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  t = await createTestApp({ logStream: stream });
});
after(() => t.close());

test('healthz, readyz and Prometheus metrics answer', async () => {
  assert.deepEqual((await t.app.inject('/healthz')).json(), { status: 'ok' });
  assert.deepEqual((await t.app.inject('/readyz')).json(), { status: 'ready' });
  const metrics = await t.app.inject('/metrics');
  assert.equal(metrics.statusCode, 200);
  assert.match(metrics.body, /tessera_http_request_duration_seconds_bucket\{[^}]*route="\/readyz"/);
  assert.match(metrics.body, /process_resident_memory_bytes/);
});

test('logs of a full setup and sign-in contain no token, cookie or password', async () => {
  const token = await issueSetupToken(t.db, t.ctx);
  assert.ok(token);
  const browser = new Session(t.app);
  await browser.get(`/setup/${token}`);
  const done = await browser.post(`/setup/${token}`, { organisationName: 'Logs Org', name: 'Lou', email: 'lou@example.org', password: PASSWORD });
  assert.equal(done.statusCode, 303);
  await browser.get('/admin');
  const session = browser.cookies.get('tessera_staff');
  assert.ok(session);
  assert.ok(logs.length > 0, 'request logs were captured');
  assert.equal(logs.includes(token), false, 'setup token not logged');
  assert.equal(logs.includes(session), false, 'session cookie not logged');
  assert.equal(logs.includes(PASSWORD), false, 'password not logged');
  assert.match(logs, /tsr_\[redacted\]/);
});

test('unknown routes and malformed paths get a JSON 404, never a stack trace', async () => {
  for (const url of ['/nope', '/admin/o/%E0%A4%A/events', '/setup/' + 'x'.repeat(5000)]) {
    const response = await t.app.inject({ url, headers: { accept: 'application/json' } });
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${url} -> ${response.statusCode}`);
    assert.doesNotMatch(response.body, /at .*\.(ts|js):\d+/);
  }
});
