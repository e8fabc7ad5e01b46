import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../db/database.js';
import { manualClock } from '../../lib/clock.js';
import { cryptoRandom } from '../../lib/random.js';
import { mintToken } from '../../lib/tokens.js';
import { lintTemplate, renderEmail, TemplateRenderError, type EmailTemplate, type MergeTagContext } from './index.js';

let version = 0;
function template(html: string, subject = 'Hi', text: string | null = null): EmailTemplate {
  version += 1;
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, version)).toISOString();
  return { id: `t${version}`, orgId: 'o', eventId: null, type: 'custom', name: 'x', subject, html, text, createdAt: at, updatedAt: at };
}

function context(firstName: string, fields: Record<string, string | boolean | string[]> = {}): MergeTagContext {
  return {
    db: null as unknown as Db,
    ctx: { clock: manualClock(), random: cryptoRandom },
    publicUrl: new URL('https://tessera.test'),
    mode: 'preview',
    orgId: 'o',
    organisation: { id: 'o', name: 'Acme' },
    event: null,
    template: { id: 't', type: 'custom' },
    recipient: { kind: 'participant', id: 'p', email: 'ada@example.org', firstName, lastName: 'L', fields, eventId: null },
    outboxId: null,
    data: {},
  };
}

// Rendering bypasses the save-time checks here on purpose: even a template that got into the
// database some other way cannot reach past the values it is given.
test('template injection probes render literally', async () => {
  const probes = '{{ constructor }}|{{ first_name.constructor }}|{{ "".constructor.constructor }}|{{ fields.__proto__ }}|{{ fields.constructor.name }}|{{ user_email.constructor }}';
  const rendered = await renderEmail(template(`<p>${probes}</p>`, probes), context('Ada'));
  assert.equal(rendered.html, '<p>|||||</p>');
  assert.equal(rendered.subject, '|||||');
  const data = await renderEmail(template('<p>{{ first_name }} {{ fields.x }}</p>', '{{ first_name }}', '{{ first_name }}'), context('{{7*7}}{% assign a = 1 %}${7*7}', { x: '{{ constructor }}' }));
  assert.equal(data.html, '<p>{{7*7}}{% assign a = 1 %}${7*7} {{ constructor }}</p>');
  assert.equal(data.subject, '{{7*7}}{% assign a = 1 %}${7*7}');
  assert.equal(data.text, '{{7*7}}{% assign a = 1 %}${7*7}');
  for (const probe of ['{{7*7}}', '{% include "/etc/passwd" %}', '{% layout "x" %}', '{{ first_name | raw }}']) {
    await assert.rejects(renderEmail(template(probe), context('Ada')), TemplateRenderError, probe);
  }
});

test('a template cannot stall the worker: allocation and time limits stop it', async () => {
  await assert.rejects(renderEmail(template('{% for i in (1..100000000) %}{{ i }}{% endfor %}'), context('Ada')), /limit exceeded/);
  const nested = '{% for a in (1..3000) %}{% for b in (1..3000) %}{% for c in (1..3000) %}x{% endfor %}{% endfor %}{% endfor %}';
  await assert.rejects(renderEmail(template(nested), context('Ada')), /limit exceeded/);
});

test('subjects lose every line break; the text part is generated from the rendered HTML when not written', async () => {
  const rendered = await renderEmail(template('<h1>Welcome {{ first_name }}</h1><p><a href="https://tessera.test/x">Programme</a></p>', 'Hi {{ first_name }}'), context('Ada\r\nBcc: x@example.org\u2028X: y'));
  assert.equal(rendered.subject, 'Hi Ada Bcc: x@example.org X: y');
  assert.equal(rendered.text, 'Welcome Ada Bcc: x@example.org\u2028X: y\n\nProgramme [https://tessera.test/x]');
  const booleans = await renderEmail(template('{% if fields.vip %}VIP{% endif %} {{ fields.tags }}'), context('Ada', { vip: true, tags: ['a', 'b'] }));
  assert.equal(booleans.html, 'VIP a, b');
});

test('the linter: tags and safe schemes pass, hidden and protocol-relative links do not, a base path is respected', () => {
  const publicUrl = new URL('https://events.example.org/tessera/');
  const lint = (html: string, text: string | null = null, allowedHosts: string[] = []) =>
    lintTemplate({ type: 'custom', subject: 'x', html, text }, { publicUrl, allowedHosts }).map((p) => p.rule);
  assert.deepEqual(lint('<a href="{{ webapp_link }}">a</a> <a href="mailto:x@example.org">m</a> <a href="#top">t</a> <a href="https://events.example.org/tessera/programme">p</a>'), []);
  assert.deepEqual(lint('<a href="https://events.example.org/tessera/app/123">a</a>'), ['personal_link']);
  assert.deepEqual(lint('<a href=//evil.example/x>a</a>'), ['foreign_host']);
  assert.deepEqual(lint('<a href="h&#116;tps://evil.example/x">a</a>'), ['foreign_host']);
  assert.deepEqual(lint('<a href="javascript:alert(1)">a</a>'), ['invalid']);
  assert.deepEqual(lint('<a href="/tessera/setup/abc">a</a>'), ['personal_link']);
  assert.deepEqual(lint('<p>x</p>', 'See https://partner.example/info'), ['foreign_host']);
  assert.deepEqual(lint('<p>x</p>', 'See https://partner.example/info', ['partner.example']), [], 'an operator may allow more hosts');
  const token = mintToken('setup', cryptoRandom);
  assert.deepEqual(lint(`<p>${token.toUpperCase()}</p>`), [], 'look-alike text is no credential');
  assert.deepEqual(lint('<p>x</p>', `code ${token}`), ['credential']);
});
