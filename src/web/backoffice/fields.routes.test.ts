import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { createCustomField, listCustomFields } from '../../modules/custom-fields/index.js';
import { createEvent, type Event } from '../../modules/events/index.js';

const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };

function has(body: string, expected: string | RegExp, message = `page contains ${String(expected)}`): void {
  assert.ok(typeof expected === 'string' ? body.includes(expected) : expected.test(body), message);
}

describe('custom fields editor', () => {
  let t: TestApp;
  let org: Org;
  let event: Event;
  let admin: Session;
  let staff: Session;
  const fieldsUrl = (suffix = '') => `/admin/o/${org.orgId}/events/${event.id}/fields${suffix}`;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    event = await createEvent(t.db, t.ctx, cli, org.orgId, { name: 'Fields Fest', startsAt: '2026-09-01T08:00:00Z', endsAt: '2026-09-01T18:00:00Z', timeZone: 'UTC' });
    admin = await signedIn(t, (await seedStaff(t, org.orgId, 'admin')).email);
    staff = await signedIn(t, (await seedStaff(t, org.orgId, 'staff')).email);
  });
  after(() => t.close());

  test('staff see the fields but only admins change them', async () => {
    await createCustomField(t.db, t.ctx, cli, org.orgId, event.id, { key: 'company', label: 'Company', type: 'text' });
    const page = await staff.get(fieldsUrl());
    assert.equal(page.statusCode, 200);
    has(page.body, '<td>Company</td>');
    assert.ok(!page.body.includes('Add a field'), 'no form for someone who cannot use it');
    const refused = await staff.post(fieldsUrl(), { key: 'sneaky', label: 'Sneaky', type: 'text' });
    assert.equal(refused.statusCode, 403);
    assert.ok(!(await listCustomFields(t.db, org.orgId, event.id)).some((f) => f.key === 'sneaky'));
  });

  test('every field type can be added, with options one per line for choices', async () => {
    const added = await admin.post(fieldsUrl(), { key: 'sessions', label: 'Sessions', type: 'multiple_choice', options: 'Morning\r\n\r\nAfternoon\r\nMorning\r\n', required: 'on' });
    assert.equal(added.statusCode, 303);
    assert.equal(added.headers.location, fieldsUrl('?done=created'));
    const field = (await listCustomFields(t.db, org.orgId, event.id)).find((f) => f.key === 'sessions');
    assert.deepEqual(field?.options, ['Morning', 'Afternoon'], 'blank lines and repeats are dropped');
    assert.equal(field?.required, true);
    const form = await admin.get(fieldsUrl());
    for (const type of ['text', 'long_text', 'email', 'phone', 'country', 'date', 'single_choice', 'multiple_choice', 'checkbox']) {
      has(form.body, `<option value="${type}"`);
    }
  });

  test('a choice field without options is refused and the form keeps what was typed', async () => {
    const response = await admin.post(fieldsUrl(), { key: 'tshirt', label: 'T-shirt size', type: 'single_choice', options: '' });
    assert.equal(response.statusCode, 400);
    has(response.body, /id="err-options">A choice field needs at least one option/);
    has(response.body, 'value="tshirt"');
    has(response.body, 'value="T-shirt size"');
    has(response.body, /<option value="single_choice" selected/);
  });

  test('a key already used by the event is refused on the key field', async () => {
    await createCustomField(t.db, t.ctx, cli, org.orgId, event.id, { key: 'diet', label: 'Diet', type: 'text' });
    const response = await admin.post(fieldsUrl(), { key: 'diet', label: 'Diet again', type: 'text' });
    assert.equal(response.statusCode, 409);
    has(response.body, /id="err-key">A field with key &quot;diet&quot; exists/);
  });

  test('editing changes label, required, options and position, and the list follows the new order', async () => {
    const first = await createCustomField(t.db, t.ctx, cli, org.orgId, event.id, { key: 'room', label: 'Room', type: 'single_choice', options: ['A', 'B'] });
    const form = await admin.get(fieldsUrl(`/${first.id}/edit`));
    assert.equal(form.statusCode, 200);
    has(form.body, 'A\nB</textarea>');
    const saved = await admin.post(fieldsUrl(`/${first.id}/edit`), { label: 'Meeting room', options: 'A\nB\nC', position: '0', required: 'on' });
    assert.equal(saved.statusCode, 303);
    const fields = await listCustomFields(t.db, org.orgId, event.id);
    assert.equal(fields[0]?.key, 'room', 'position 0 puts it first');
    assert.deepEqual(fields[0]?.options, ['A', 'B', 'C']);
    assert.equal(fields[0]?.required, true);
    const page = await admin.get(fieldsUrl());
    assert.ok(page.body.indexOf('<td>Meeting room</td>') < page.body.indexOf('<td>Company</td>'));

    const refused = await admin.post(fieldsUrl(`/${first.id}/edit`), { label: '   ', options: 'A\nB\nC\nD', position: '0' });
    assert.equal(refused.statusCode, 400);
    has(refused.body, 'A\nB\nC\nD</textarea>', 'the typed options are kept');
  });

  test('deleting asks for confirmation, then removes the field', async () => {
    const doomed = await createCustomField(t.db, t.ctx, cli, org.orgId, event.id, { key: 'doomed', label: 'Doomed', type: 'text' });
    const confirm = await admin.get(fieldsUrl(`/${doomed.id}/delete`));
    assert.equal(confirm.statusCode, 200);
    has(confirm.body, `action="${fieldsUrl(`/${doomed.id}/delete`)}"`);
    assert.ok((await listCustomFields(t.db, org.orgId, event.id)).some((f) => f.id === doomed.id), 'opening the page deletes nothing');
    assert.equal((await staff.post(fieldsUrl(`/${doomed.id}/delete`), {})).statusCode, 403);
    const deleted = await admin.post(fieldsUrl(`/${doomed.id}/delete`), {});
    assert.equal(deleted.statusCode, 303);
    assert.equal(deleted.headers.location, fieldsUrl('?done=deleted'));
    assert.ok(!(await listCustomFields(t.db, org.orgId, event.id)).some((f) => f.id === doomed.id));
  });

  test("another organisation's fields, and malformed ids, get 404", async () => {
    const other = await seedOrganisation(t, 'Other Org');
    const theirs = await createEvent(t.db, t.ctx, cli, other.orgId, { name: 'Theirs', startsAt: '2026-09-01T08:00:00Z', endsAt: '2026-09-01T18:00:00Z', timeZone: 'UTC' });
    const theirField = await createCustomField(t.db, t.ctx, cli, other.orgId, theirs.id, { key: 'secret', label: 'Secret', type: 'text' });
    assert.equal((await admin.get(`/admin/o/${org.orgId}/events/${theirs.id}/fields`)).statusCode, 404);
    assert.equal((await admin.get(`/admin/o/${other.orgId}/events/${theirs.id}/fields`)).statusCode, 404);
    assert.equal((await admin.get(fieldsUrl(`/${theirField.id}/edit`))).statusCode, 404, 'a field of another event is not found');
    assert.equal((await admin.post(fieldsUrl(`/${theirField.id}/delete`), {})).statusCode, 404);
    assert.equal((await admin.get(fieldsUrl('/nope/edit'))).statusCode, 404);
    assert.equal((await admin.get(`/admin/o/${org.orgId}/events/nope/fields`)).statusCode, 404);
    assert.equal((await listCustomFields(t.db, other.orgId, theirs.id)).length, 1);
  });
});
