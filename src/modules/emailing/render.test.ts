import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../db/database.js';
import { manualClock } from '../../lib/clock.js';
import { cryptoRandom } from '../../lib/random.js';
import { mintToken } from '../../lib/tokens.js';
import type { Event } from '../events/index.js';
import { htmlToText } from './html-text.js';
import { formatInZone, lintTemplate, renderEmail, TemplateRenderError, type EmailTemplate, type MergeTagContext } from './index.js';
import { compilePart, engineFor, renderPart } from './liquid.js';
import { textPartSource } from './render.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
let version = 0;
function template(html: string, subject = 'Hi', text: string | null = null): EmailTemplate {
  version += 1;
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, version)).toISOString();
  return { id: `t${version}`, orgId: 'o', eventId: null, type: 'custom', name: 'x', subject, html, text, createdAt: at, updatedAt: at };
}

type Fields = Record<string, string | boolean | string[]>;
function context(firstName: string, fields: Fields = {}, more: { lastName?: string; event?: Event | null } = {}): MergeTagContext {
  return {
    db: null as unknown as Db,
    ctx: { clock: manualClock(), random: cryptoRandom, keys: { hmac: [KEY], encryption: [KEY] } },
    publicUrl: new URL('https://tessera.test'),
    keys: { hmac: [KEY], encryption: [KEY] },
    mode: 'preview',
    orgId: 'o',
    organisation: { id: 'o', name: 'Acme "Events" <EU>' },
    event: more.event ?? null,
    template: { id: 't', type: 'custom' },
    recipient: { kind: 'participant', id: 'p', email: 'ada@example.org', firstName, lastName: more.lastName ?? 'L', fields, eventId: null },
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

const EVENT: Event = {
  id: 'e1', orgId: 'o', slug: 'conf', name: 'Conf & Co', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris',
  venue: null, status: 'published', registrationOpen: true, tellKnownEmails: false, rsvpClosesAt: null, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
};

// Recipients whose data covers what changes a text part: markup characters, Liquid syntax, an
// empty field, values equal to a link's text, whitespace html-to-text would fold.
const RECIPIENTS: MergeTagContext[] = [
  context('Ada', { company: 'Analytical <Engines> & "Sons"', vip: true, diet: 'vegan', site: 'https://ada.example/', tags: ['a', 'b'] }, { lastName: 'Lovelace', event: EVENT }),
  context('{{7*7}}', { company: "{% if true %}x{% endif %} & 'co'", vip: false, diet: 'none', site: '#top', tags: [] }, { lastName: "O'Brien", event: EVENT }),
  context('Grace', { company: '', vip: false, diet: 'halal', site: 'mailto:grace@example.org', tags: ['c'] }, { lastName: '', event: EVENT }),
  context('  Alan\n', { company: 'Bletchley\tPark', vip: true, diet: 'none', site: 'Programme', tags: ['x'] }, { lastName: 'Turing  Jr', event: EVENT }),
];

// Each is derived once; its text must be what html-to-text makes of every rendered HTML body.
const DERIVABLE: Record<string, string> = {
  'outputs in text, custom fields with markup characters': '<h1>Dear {{ full_name }},</h1><p>{{ organisation_name }} invites you to <strong>{{ event_name }}</strong> from {{ event_start }} to {{ event_end }}.</p><p>Company: {{ fields.company }}</p>',
  'links built from merge tags, mailto and a link that is its own text': '<p><a href="https://tessera.test/p?e={{ user_email }}&amp;x=1">See the programme</a>, <a href="mailto:{{ user_email }}">write to {{ first_name }}</a>, <a href="{{ fields.site }}">{{ fields.site }}</a> or <a href="{{ fields.site }}">Programme</a>.</p>',
  'an if block spanning paragraphs, and an inline if': '<p>Hello {{ first_name }}</p>{% if fields.vip %}<p>You are a VIP.</p><p>Lounge access included.</p>{% else %}<p>See you there.</p>{% endif %}<p>We have you down as {{ last_name }}{% if fields.diet != "none" %}, with a {{ fields.diet }} menu{% endif %}.</p>',
  'a list built by a loop': '<p>Your sessions:</p><ul>{% for i in (1..3) %}<li>Session {{ i }} for {{ first_name }}</li>{% endfor %}</ul><p>Bye</p>',
  'a whole document with head, table layout and an image': '<!doctype html><html><head><title>{{ event_name }}</title><style>p{color:red}</style></head><body><table><tr><td><img src="https://tessera.test/logo.png" alt="{{ organisation_name }}"><h2 style="color:{{ fields.diet }}">{{ event_name }}</h2><blockquote><p>{{ fields.company }}</p></blockquote></td></tr></table></body></html>',
};

// Structures the placeholder approach cannot follow: each template converts every message instead.
const PER_MESSAGE: Record<string, string> = {
  'a tag inside an attribute other than href': '<p class="{% if fields.vip %}vip{% endif %}">Hello {{ first_name }}</p>',
  'block tags that split an element': '{% if fields.vip %}<div class="vip">{% endif %}<p>Hello {{ first_name }}</p>{% if fields.vip %}</div>{% endif %}',
  'a loop that numbers ordered list items': '<ol>{% for i in (1..3) %}<li>Step {{ i }}</li>{% endfor %}</ol>',
  'preformatted text': '<pre>Dear   {{ first_name }}</pre>',
  'a tag that prints': '{% capture x %}<b>{{ first_name }}</b>{% endcapture %}<p>{{ x }}</p>',
  'markup assembled around a value': '<p>&{{ fields.diet }};</p>',
};

/** Each template's text part comes from `source`, and equals html-to-text over every recipient's rendered HTML. */
async function assertTextParts(templates: Record<string, string>, source: ReturnType<typeof textPartSource>): Promise<void> {
  for (const [what, html] of Object.entries(templates)) {
    const t = template(html);
    assert.equal(textPartSource(t), source, what);
    for (const m of RECIPIENTS) {
      const email = await renderEmail(t, m);
      assert.equal(email.text, htmlToText(email.html), `${what}: ${m.recipient.firstName}`);
    }
  }
}

test('a text part derived once per template equals html-to-text over each rendered HTML body', async () => {
  await assertTextParts(DERIVABLE, 'derived');
});

test('templates whose structure the derivation cannot follow convert each message, and their text is still right', async () => {
  await assertTextParts(PER_MESSAGE, 'per-message');
  assert.equal(textPartSource({ ...template('<p>x</p>'), text: 'Hello {{ first_name }}' }), 'written');
});

test('in a derived text part attendee data is printed as written: not run as Liquid, not HTML-escaped', async () => {
  const t = template('<p>Dear {{ first_name }} {{ last_name }} of {{ fields.company }}</p><p><a href="https://tessera.test/x?c={{ fields.company }}">Open</a></p>');
  assert.equal(textPartSource(t), 'derived');
  const email = await renderEmail(t, context('{{7*7}}', { company: `<b>"Q" & 'A'</b>` }, { lastName: '{% assign a = 1 %}' }));
  assert.equal(email.text, `Dear {{7*7}} {% assign a = 1 %} of <b>"Q" & 'A'</b>\n\nOpen [https://tessera.test/x?c=<b>"Q" & 'A'</b>]`);
  assert.match(email.html, /Dear \{\{7\*7\}\} \{% assign a = 1 %\} of &lt;b&gt;&#34;Q&#34; &amp; &#39;A&#39;&lt;\/b&gt;/);
});

test('event dates follow an edited event although they are formatted once per event', async () => {
  const t = template('<p>{{ event_start }} to {{ event_end }}</p>');
  const first = await renderEmail(t, context('Ada', {}, { event: EVENT }));
  assert.equal(first.text, 'Monday, 14 September 2026 at 09:00 CEST to Tuesday, 15 September 2026 at 18:00 CEST');
  const moved = { ...EVENT, startsAt: '2026-12-01T08:00:00.000Z', timeZone: 'America/New_York', updatedAt: '2026-02-01T00:00:00.000Z' };
  const second = await renderEmail(t, context('Ada', {}, { event: moved }));
  assert.equal(second.text, `${formatInZone(moved.startsAt, moved.timeZone)} to ${formatInZone(moved.endsAt, moved.timeZone)}`);
  assert.match(second.text, /^Tuesday, 1 December 2026 at 03:00 /);
});

test('the fast path through liquidjs prints what liquidjs prints, whatever the values', () => {
  const sources = [
    '<p>{{ first_name }} {{ fields.company }} {{ missing }} {{ fields.missing }} {{ constructor }} {{ fields.constructor }} {{ fields.__proto__ }}</p>',
    '{{ fields.size }} {{ first_name.size }} {{ first_name.length }} {{ tags }} {{ tags.first }} {{ n }} {{ nested.a }} {{ first_name | upcase }}',
    '{% if fields.vip %}<b>{{ first_name }}</b>{% else %}-{% endif %}{% for t in tags %}[{{ t }}]{% endfor %}{%- if n -%} n {%- endif -%} end',
    '{% assign first_name = "x" %}{{ first_name }}',
  ];
  const scopes: Array<Record<string, unknown>> = [
    { first_name: `A<&>"'`, fields: { company: 'C & D', vip: true, size: 'own size' }, tags: ['a', 'b'], n: 2.5, nested: { a: 'x' } },
    { first_name: '', fields: {}, tags: [], n: null, nested: null },
    { first_name: 'Ada', fields: { vip: false }, n: true, nested: 'string' },
  ];
  for (const source of sources) {
    for (const part of ['html', 'text'] as const) {
      const compiled = compilePart(part, source);
      for (const scope of scopes) assert.equal(renderPart(compiled, scope), String(engineFor(part).renderSync(compiled.parsed, scope)), `${part}: ${source}`);
    }
  }
});
