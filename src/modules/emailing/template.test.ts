import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedOrganisation } from '../../../test/helpers/fixtures.js';
import { systemActor } from '../../lib/context.js';
import { DomainError, errorStatus } from '../../lib/errors.js';
import { cryptoRandom } from '../../lib/random.js';
import { mintToken } from '../../lib/tokens.js';
import { createCustomField } from '../custom-fields/index.js';
import { createEvent } from '../events/index.js';
import {
  createTemplate,
  deleteTemplate,
  linkTemplate,
  listTemplates,
  registerEmailAction,
  registerMergeTag,
  templateForAction,
  updateTemplate,
  type TemplateInput,
  type TemplateProblem,
} from './index.js';

registerMergeTag({ name: 'test_verify_link', description: 'test', personal: true, types: ['account_verification'], resolve: async () => 'x' });
registerEmailAction({ name: 'test.credentials_resend', description: 'Resend credentials', types: ['credentials'] });

const settings = { publicUrl: new URL('https://tessera.test') };
const base: TemplateInput = { type: 'custom', name: 'T', subject: 'Hello {{ first_name }}', html: '<p>Hi {{ first_name }}</p>' };

async function withOrg(fn: (t: TestApp, orgId: string, eventId: string) => Promise<void>) {
  const t = await createTestApp();
  try {
    const { orgId } = await seedOrganisation(t);
    const event = await createEvent(t.db, t.ctx, systemActor, orgId, { name: 'Summit', startsAt: '2026-09-14T07:00:00Z', endsAt: '2026-09-15T16:00:00Z', timeZone: 'Europe/Paris' });
    await createCustomField(t.db, t.ctx, systemActor, orgId, event.id, { key: 'company', label: 'Company', type: 'text' });
    await fn(t, orgId, event.id);
  } finally {
    await t.close();
  }
}

async function refusal(promise: Promise<unknown>): Promise<DomainError & { details: TemplateProblem[] }> {
  const err = await promise.then(() => null, (e: unknown) => e);
  assert.ok(err instanceof DomainError, `expected a refusal, got ${String(err)}`);
  return err as DomainError & { details: TemplateProblem[] };
}

test('saving a template with an unknown tag is refused and lists it', async () => {
  await withOrg(async (t, orgId, eventId) => {
    const input = { ...base, subject: '{{ frist_name }} at {{ event_name }}', html: '<p>{{ fields.company }} {{ fields.compnay }} {{ wepapp_link }}</p>{% assign x = first_name %}{{ x }}' };
    const err = await refusal(createTemplate(t.db, t.ctx, systemActor, orgId, eventId, input, settings));
    assert.equal(err.code, 'template_invalid');
    assert.equal(errorStatus[err.code], 422);
    assert.equal(err.message, 'Unknown merge tags: frist_name, fields.compnay, wepapp_link');
    assert.deepEqual(err.details.map((p) => [p.path, p.rule, p.tag]), [
      ['/subject', 'unknown_tag', 'frist_name'],
      ['/html', 'unknown_tag', 'fields.compnay'],
      ['/html', 'unknown_tag', 'wepapp_link'],
    ]);
    const wrongType = await refusal(createTemplate(t.db, t.ctx, systemActor, orgId, eventId, { ...base, html: '<a href="{{ test_verify_link }}">verify</a>' }, settings));
    assert.deepEqual(wrongType.details.map((p) => p.rule), ['tag_not_for_type']);
    const fine = await createTemplate(t.db, t.ctx, systemActor, orgId, null, { ...base, type: 'account_verification', html: '<a href="{{ test_verify_link }}">{{ fields.anything }}</a>' }, settings);
    assert.equal(fine.eventId, null, 'an organisation-level template accepts any well-formed field key');
  });
});

test('the linter refuses a pasted credential, a personal link without its tag, and a foreign host', async () => {
  await withOrg(async (t, orgId, eventId) => {
    const token = mintToken('app', cryptoRandom);
    const html = [
      `<p>Your code: ${token}</p>`,
      '<a href="https://tessera.test/app/{{ first_name }}">your page</a>',
      '<a href="https://evil.example/login">log in</a>',
      '<a href="{{ test_verify_link }}">fine</a> <a href="mailto:help@example.org">help</a> <a href="https://tessera.test/events">events</a>',
    ].join('\n');
    const err = await refusal(createTemplate(t.db, t.ctx, systemActor, orgId, eventId, { ...base, type: 'account_verification', html, text: 'Open https://tessera.test/verify/abc' }, settings));
    assert.deepEqual(err.details.map((p) => [p.path, p.rule]), [
      ['/html', 'credential'],
      ['/html', 'personal_link'],
      ['/html', 'foreign_host'],
      ['/text', 'personal_link'],
    ]);
    assert.match(err.details[2]!.message, /evil\.example: links must use tessera\.test/);
    assert.ok(!JSON.stringify(err.details).includes(token), 'the refusal does not repeat the credential');
  });
});

test('template injection probes are refused when saved', async () => {
  await withOrg(async (t, orgId, eventId) => {
    const probes = ['{{7*7}}', '{{ constructor }}', '{{ "".constructor.constructor }}', '{% include "/etc/passwd" %}', '{% render "x" %}', '{% layout "x" %}', '{{ first_name | raw }}', '{{ first_name | nosuchfilter }}'];
    for (const probe of probes) {
      const err = await refusal(createTemplate(t.db, t.ctx, systemActor, orgId, eventId, { ...base, html: `<p>${probe}</p>` }, settings));
      assert.equal(err.code, 'template_invalid', probe);
      assert.ok(err.details.every((p) => p.rule === 'syntax' || p.rule === 'unknown_tag'), probe);
    }
  });
});

test('an action without a linked template is refused with template_not_linked; an event link wins over the organisation link', async () => {
  await withOrg(async (t, orgId, eventId) => {
    const action = 'test.credentials_resend';
    const err = await refusal(templateForAction(t.db, t.ctx, orgId, eventId, action));
    assert.equal(err.code, 'template_not_linked');
    assert.equal(errorStatus[err.code], 409);
    assert.match(err.message, /Resend credentials/);
    const orgWide = await createTemplate(t.db, t.ctx, systemActor, orgId, null, { ...base, type: 'credentials', name: 'Org credentials' }, settings);
    const eventOwn = await createTemplate(t.db, t.ctx, systemActor, orgId, eventId, { ...base, type: 'credentials', name: 'Event credentials' }, settings);
    const custom = await createTemplate(t.db, t.ctx, systemActor, orgId, eventId, base, settings);
    await assert.rejects(linkTemplate(t.db, t.ctx, systemActor, orgId, eventId, action, custom.id), /needs a template of type credentials/);
    await linkTemplate(t.db, t.ctx, systemActor, orgId, null, action, orgWide.id);
    assert.equal((await templateForAction(t.db, t.ctx, orgId, eventId, action)).id, orgWide.id);
    await linkTemplate(t.db, t.ctx, systemActor, orgId, eventId, action, eventOwn.id);
    assert.equal((await templateForAction(t.db, t.ctx, orgId, eventId, action)).id, eventOwn.id);
    assert.equal((await templateForAction(t.db, t.ctx, orgId, null, action)).id, orgWide.id);
    const inUse = await refusal(deleteTemplate(t.db, t.ctx, systemActor, orgId, orgWide.id));
    assert.equal(inUse.code, 'template_in_use');
  });
});

test('templates are looked up by type at organisation and event level; edits keep their level', async () => {
  await withOrg(async (t, orgId, eventId) => {
    const orgWide = await createTemplate(t.db, t.ctx, systemActor, orgId, null, { ...base, type: 'reminder', name: 'B reminder' }, settings);
    const eventOwn = await createTemplate(t.db, t.ctx, systemActor, orgId, eventId, { ...base, type: 'reminder', name: 'A reminder', text: '  ' }, settings);
    await createTemplate(t.db, t.ctx, systemActor, orgId, eventId, { ...base, type: 'invitation', name: 'Invite' }, settings);
    assert.equal(eventOwn.text, null, 'a blank text body means "generate it from the HTML"');
    assert.deepEqual((await listTemplates(t.db, orgId, { eventId, type: 'reminder' })).map((x) => x.name), ['A reminder', 'B reminder']);
    assert.deepEqual((await listTemplates(t.db, orgId, { type: 'reminder' })).map((x) => x.name), ['B reminder']);
    const edited = await updateTemplate(t.db, t.ctx, systemActor, orgId, orgWide.id, { ...base, type: 'reminder', name: 'Renamed', subject: 'Soon: {{ event_name }}' }, settings);
    assert.deepEqual([edited.eventId, edited.subject], [null, 'Soon: {{ event_name }}']);
    assert.ok(edited.updatedAt > orgWide.updatedAt, 'a new version even when the clock has not moved');
    await deleteTemplate(t.db, t.ctx, systemActor, orgId, edited.id);
    assert.deepEqual((await listTemplates(t.db, orgId, {})).length, 0);
  });
});
