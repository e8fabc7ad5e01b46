import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { createCustomField } from '../../modules/custom-fields/index.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import { createParticipant, getParticipant, listParticipants } from '../../modules/participants/index.js';

const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };

function has(body: string, expected: string | RegExp, message = `page contains ${String(expected)}`): void {
  assert.ok(typeof expected === 'string' ? body.includes(expected) : expected.test(body), message);
}

/** A form body with every one of the nine field types filled in. */
const FULL = {
  email: 'Zoe.Durand@Example.org',
  first_name: 'Zoë',
  last_name: 'Durand',
  status: 'registered',
  'cf.company': 'Acme & Co',
  'cf.bio': 'Line one\nLine two',
  'cf.assistant': 'assistant@example.org',
  'cf.phone': '+33 1 23 45 67 89',
  'cf.country': 'FR',
  'cf.birthday': '1990-04-12',
  'cf.diet': 'Vegan',
  'cf.sessions': ['Morning', 'Afternoon'],
  'cf.newsletter': 'true',
};

describe('participant pages', () => {
  let t: TestApp;
  let org: Org;
  let event: Event;
  let staff: Session;
  let staffEmail: string;
  const url = (suffix = '') => `/admin/o/${org.orgId}/events/${event.id}/participants${suffix}`;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    event = await createEvent(t.db, t.ctx, cli, org.orgId, { name: 'Form Fair', startsAt: '2026-09-01T08:00:00Z', endsAt: '2026-09-01T18:00:00Z', timeZone: 'Europe/Paris' });
    const fields = [
      { key: 'company', label: 'Company', type: 'text' },
      { key: 'bio', label: 'Short bio', type: 'long_text' },
      { key: 'assistant', label: 'Assistant email', type: 'email' },
      { key: 'phone', label: 'Phone', type: 'phone' },
      { key: 'country', label: 'Country', type: 'country' },
      { key: 'birthday', label: 'Birthday', type: 'date' },
      { key: 'diet', label: 'Diet', type: 'single_choice', options: ['None', 'Vegetarian', 'Vegan'], required: true },
      { key: 'sessions', label: 'Sessions', type: 'multiple_choice', options: ['Morning', 'Afternoon', 'Evening'] },
      { key: 'newsletter', label: 'Newsletter', type: 'checkbox' },
    ] as const;
    for (const field of fields) await createCustomField(t.db, t.ctx, cli, org.orgId, event.id, { ...field, options: 'options' in field ? [...field.options] : [] });
    staffEmail = (await seedStaff(t, org.orgId, 'staff')).email;
    staff = await signedIn(t, staffEmail);
  });
  after(() => t.close());

  test('the add form offers an input for each of the nine field types', async () => {
    const form = await staff.get(url('/new'));
    assert.equal(form.statusCode, 200);
    has(form.body, '<textarea name="cf.bio"');
    has(form.body, '<input type="email" name="cf.assistant"');
    has(form.body, '<input type="tel" name="cf.phone"');
    has(form.body, '<option value="FR">France</option>', 'countries are named');
    has(form.body, '<input type="date" name="cf.birthday"');
    has(form.body, /<select name="cf.diet" required><option value>—<\/option><option value="None">/);
    has(form.body, '<input type="checkbox" name="cf.sessions" value="Evening"');
    has(form.body, '<input type="checkbox" name="cf.newsletter" value="true"');
    has(form.body, /<select name="status">.*<option value="registered" selected/s);
  });

  test('a participant added through the form stores every field type and shows them with labels', async () => {
    const added = await staff.post(url(), FULL);
    assert.equal(added.statusCode, 303);
    const location = String(added.headers.location);
    const id = /participants\/([0-9a-z]{26})\?done=created$/.exec(location)?.[1];
    assert.ok(id, location);
    const stored = await getParticipant(t.db, org.orgId, event.id, id);
    assert.equal(stored.email, 'Zoe.Durand@example.org');
    assert.deepEqual(stored.fields, {
      company: 'Acme & Co',
      bio: 'Line one\nLine two',
      assistant: 'assistant@example.org',
      phone: '+33 1 23 45 67 89',
      country: 'FR',
      birthday: '1990-04-12',
      diet: 'Vegan',
      sessions: ['Morning', 'Afternoon'],
      newsletter: true,
    });
    const page = await staff.get(location);
    assert.equal(page.statusCode, 200);
    has(page.body, '<dt>Short bio</dt><dd>Line one\nLine two</dd>');
    has(page.body, '<dt>Country</dt><dd>France</dd>');
    has(page.body, '<dt>Sessions</dt><dd>Morning, Afternoon</dd>');
    has(page.body, '<dt>Newsletter</dt><dd>yes</dd>');
    has(page.body, 'Acme &amp; Co', 'values are escaped');
    has(page.body, /Added: status registered/);
  });

  test('a participant added with an invalid email is refused and the form keeps the typed values', async () => {
    const response = await staff.post(url(), { ...FULL, email: 'zoe at example', 'cf.phone': 'call me', 'cf.company': 'Ünïcode <Ltd>' });
    assert.equal(response.statusCode, 400);
    has(response.body, /id="err-email">Invalid email &quot;zoe at example&quot;/);
    has(response.body, /id="err-phone">Phone: invalid phone number/);
    has(response.body, 'value="zoe at example"');
    has(response.body, 'value="Zoë"');
    has(response.body, 'value="call me"');
    has(response.body, 'value="Ünïcode &lt;Ltd>"');
    has(response.body, 'Line one\nLine two</textarea>');
    has(response.body, '<option value="FR" selected>France</option>');
    has(response.body, '<option value="Vegan" selected>Vegan</option>');
    has(response.body, '<input type="checkbox" name="cf.sessions" value="Afternoon" checked');
    has(response.body, '<input type="checkbox" name="cf.newsletter" value="true" checked');
    assert.equal((await listParticipants(t.db, t.dialect, org.orgId, event.id, { q: 'unicode' })).total, 0);
  });

  test('a required choice left empty is refused on that field', async () => {
    const response = await staff.post(url(), { ...FULL, email: 'nodiet@example.org', 'cf.diet': '' });
    assert.equal(response.statusCode, 400);
    has(response.body, /id="err-diet">Diet is required/);
  });

  test('adding someone who is already a participant is refused on the email field', async () => {
    await createParticipant(t.db, t.ctx, cli, org.orgId, event.id, { email: 'twice@example.org', fields: { diet: 'None' } });
    const response = await staff.post(url(), { ...FULL, email: 'TWICE@example.org' });
    assert.equal(response.statusCode, 409);
    has(response.body, /id="err-email">This person is already a participant/);
  });

  test('editing a participant writes history visible on the participant page', async () => {
    const p = await createParticipant(t.db, t.ctx, cli, org.orgId, event.id, {
      email: 'edit.me@example.org',
      firstName: 'Edit',
      lastName: 'Me',
      status: 'invited',
      fields: { diet: 'None', sessions: ['Evening'], newsletter: true, company: 'Old Co' },
    });
    const form = await staff.get(url(`/${p.id}/edit`));
    assert.equal(form.statusCode, 200);
    has(form.body, 'value="Old Co"');
    has(form.body, '<input type="checkbox" name="cf.sessions" value="Evening" checked');
    // Unticked boxes are absent from the body: they must clear what was stored.
    const saved = await staff.post(url(`/${p.id}/edit`), { email: 'edit.me@example.org', first_name: 'Edith', last_name: 'Me', status: 'registered', 'cf.diet': 'Vegetarian', 'cf.company': 'New Co' });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, url(`/${p.id}?done=saved`));
    const after = await getParticipant(t.db, org.orgId, event.id, p.id);
    assert.equal(after.firstName, 'Edith');
    assert.equal(after.status, 'registered');
    assert.deepEqual(after.fields, { diet: 'Vegetarian', newsletter: false, company: 'New Co' });
    const page = await staff.get(String(saved.headers.location));
    has(page.body, 'Saved.');
    has(page.body, /<h2>History<\/h2>/);
    has(page.body, new RegExp(`${staffEmail.replace(/[.]/g, '\\.')}</td><td>Changed: name or email, [^<]*Diet[^<]*; status invited → registered`));
    has(page.body, /Added: status invited/);
  });

  test('an edit refused by the domain keeps what was typed', async () => {
    const p = await createParticipant(t.db, t.ctx, cli, org.orgId, event.id, { email: 'keep@example.org', fields: { diet: 'None' } });
    await createParticipant(t.db, t.ctx, cli, org.orgId, event.id, { email: 'taken@example.org', fields: { diet: 'None' } });
    const response = await staff.post(url(`/${p.id}/edit`), { email: 'taken@example.org', first_name: 'Kept', last_name: 'Typing', status: 'declined', 'cf.diet': 'Vegan' });
    assert.equal(response.statusCode, 409);
    has(response.body, /id="err-email">Another person in this organisation already uses that email/);
    has(response.body, 'value="Kept"');
    has(response.body, '<option value="declined" selected');
    assert.equal((await getParticipant(t.db, org.orgId, event.id, p.id)).email, 'keep@example.org');
  });

  test('a scanner cannot open the participants list (403)', async () => {
    const scanner = await signedIn(t, (await seedStaff(t, org.orgId, 'scanner')).email);
    assert.equal((await scanner.get(url())).statusCode, 403);
    assert.equal((await scanner.get(url('/new'))).statusCode, 403);
    assert.equal((await scanner.post(url(), FULL)).statusCode, 403);
  });

  test("a staff member of organisation A gets 404 for organisation B's event, participant and fields pages", async () => {
    const b = await seedOrganisation(t, 'Organisation B');
    const theirEvent = await createEvent(t.db, t.ctx, cli, b.orgId, { name: 'B Event', startsAt: '2026-09-01T08:00:00Z', endsAt: '2026-09-01T18:00:00Z', timeZone: 'UTC' });
    const theirs = await createParticipant(t.db, t.ctx, cli, b.orgId, theirEvent.id, { email: 'b-person@example.org' });
    const inB = `/admin/o/${b.orgId}/events/${theirEvent.id}`;
    const viaA = `/admin/o/${org.orgId}/events/${theirEvent.id}`;
    for (const path of [inB, `${inB}/fields`, `${inB}/participants`, `${inB}/participants/${theirs.id}`, viaA, `${viaA}/fields`, `${viaA}/participants`, `${viaA}/participants/${theirs.id}`, url(`/${theirs.id}`), url(`/${theirs.id}/edit`)]) {
      assert.equal((await staff.get(path)).statusCode, 404, path);
    }
    assert.equal((await staff.post(url(`/${theirs.id}/edit`), { ...FULL, email: 'hijack@example.org' })).statusCode, 404);
    assert.equal((await getParticipant(t.db, b.orgId, theirEvent.id, theirs.id)).email, 'b-person@example.org');
  });

  test('malformed ids get 404, not 500', async () => {
    for (const path of [url('/not-an-id'), url('/not-an-id/edit'), `/admin/o/${org.orgId}/events/x/participants`, `/admin/o/x/events/${event.id}/participants`, url("/01'--/edit")]) {
      assert.equal((await staff.get(path)).statusCode, 404, path);
    }
    assert.equal((await staff.post(url('/%00/edit'), FULL)).statusCode, 404);
  });
});
