import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { systemActor } from '../../lib/context.js';
import { createCustomField } from '../../modules/custom-fields/index.js';
import { lintTemplate } from '../../modules/emailing/index.js';
import { createEvent, getEvent, type Event } from '../../modules/events/index.js';

describe('forms and access settings in the back-office', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let event: Event;
  let base: string;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    event = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: 'Expo', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'America/Montreal' });
    await createCustomField(t.db, t.ctx, systemActor, org.orgId, event.id, { key: 'company', label: 'Company', type: 'text' });
    await createCustomField(t.db, t.ctx, systemActor, org.orgId, event.id, { key: 'tshirt', label: 'T-shirt size', type: 'single_choice', options: ['S', 'M', 'L'] });
    base = `/admin/o/${org.orgId}/events/${event.id}/forms`;
  });
  after(() => t.close());

  const formCount = async () => (await t.db.selectFrom('event_forms').select('id').where('event_id', '=', event.id).execute()).length;

  test('the forms page lists the registration form, the public links and the merge tags, and stores nothing', async () => {
    const page = await owner.get(base);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Registration <span class="badge">registration<\/span>/);
    assert.ok(page.body.includes(`https://tessera.test/e/${event.id}/register`), 'the public registration page, on the public URL');
    assert.match(page.body, /\{\{ registration_link \}\}/);
    assert.match(page.body, /lets anyone test whether a given person is registered/, 'the privacy trade-off is explained');
    assert.match(page.body, /<input type="checkbox" name="tell_known_emails" value="on"\/>/, 'off by default');
    assert.equal(await formCount(), 0);
    const dashboard = await owner.get(`/admin/o/${org.orgId}/events/${event.id}`);
    assert.ok(dashboard.body.includes(`href="${base}"`), 'linked from the event navigation');
  });

  test('a refused update form shows the problem next to its field and keeps what was typed', async () => {
    const bad = await owner.post(`${base}/new`, { title: 'Sizes <2026>', field: ['tshirt'], closes_at: 'next week', allow_email_change: 'on' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="err-closes_at">Give a date and time, or leave it empty/);
    assert.ok(bad.body.includes('value="Sizes &lt;2026>"'));
    assert.match(bad.body, /name="field" value="tshirt" checked/);
    const empty = await owner.post(`${base}/new`, { title: 'Nothing', closes_at: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /id="err-field">Choose at least one field/);
    assert.equal(await formCount(), 0);
  });

  test('an update form closes at a time given in the event zone', async () => {
    const created = await owner.post(`${base}/new`, { title: 'Sizes', field: ['tshirt', 'company'], closes_at: '2026-09-01T18:00', allow_email_change: 'on' });
    assert.equal(created.statusCode, 303, created.body.slice(0, 400));
    const row = await t.db.selectFrom('event_forms').selectAll().where('slug', '=', 'sizes').executeTakeFirstOrThrow();
    assert.deepEqual([row.kind, row.closes_at, JSON.parse(row.field_keys), row.allow_email_change], ['update', '2026-09-01T22:00:00.000Z', ['tshirt', 'company'], 1]);
    const edit = await owner.get(`${base}/${row.id}/edit`);
    assert.ok(edit.body.includes('value="2026-09-01T18:00"'), 'shown back in the event zone');
    const list = await owner.get(base);
    assert.match(list.body, /T-shirt size, Company/);
    const audit = await t.db.selectFrom('audit_log').select('action').where('target_id', '=', row.id).execute();
    assert.deepEqual(audit.map((a) => a.action), ['form.created']);
  });

  test('editing the registration form stores it once', async () => {
    const saved = await owner.post(`${base}/register/edit`, { title: 'Sign up', intro: 'Welcome!', closes_at: '' });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 400));
    const again = await owner.post(`${base}/register/edit`, { title: 'Sign up now', closes_at: '' });
    assert.equal(again.statusCode, 303);
    const rows = await t.db.selectFrom('event_forms').selectAll().where('event_id', '=', event.id).where('kind', '=', 'registration').execute();
    assert.deepEqual(rows.map((r) => [r.slug, r.title]), [['register', 'Sign up now']]);
    const page = await new Session(t.app).get(`/e/${event.id}/register`);
    assert.match(page.body, /<h1>Sign up now<\/h1>/);
    assert.match(page.body, /name="cf.tshirt"/, 'every custom field');
  });

  test('access settings: registration switch, known-email switch and RSVP closing time in the event zone', async () => {
    const saved = await owner.post(`${base}/access`, { tell_known_emails: 'on', rsvp_closes_at: '2026-09-10T18:00' });
    assert.equal(saved.statusCode, 303);
    const after = await getEvent(t.db, org.orgId, event.id);
    assert.deepEqual([after.registrationOpen, after.tellKnownEmails, after.rsvpClosesAt], [false, true, '2026-09-10T22:00:00.000Z']);
    const bad = await owner.post(`${base}/access`, { registration_open: 'on', rsvp_closes_at: 'soon' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="err-rsvp_closes_at"/);
    assert.equal((await getEvent(t.db, org.orgId, event.id)).rsvpClosesAt, '2026-09-10T22:00:00.000Z', 'nothing saved');
    await owner.post(`${base}/access`, { registration_open: 'on', rsvp_closes_at: '' });
    const reset = await getEvent(t.db, org.orgId, event.id);
    assert.deepEqual([reset.registrationOpen, reset.tellKnownEmails, reset.rsvpClosesAt], [true, false, null]);
  });

  test('staff see the forms; only admins change them', async () => {
    const staff = await seedStaff(t, org.orgId, 'staff');
    const session = await signedIn(t, staff.email);
    assert.equal((await session.get(base)).statusCode, 200);
    assert.equal((await session.get(`${base}/new`)).statusCode, 403);
    assert.equal((await session.post(`${base}/new`, { title: 'Nope', field: ['company'], closes_at: '' })).statusCode, 403);
    assert.equal((await session.post(`${base}/access`, { registration_open: 'on', rsvp_closes_at: '' })).statusCode, 403);
    const outsider = await signedIn(t, (await seedStaff(t, (await seedOrganisation(t, 'Other')).orgId, 'owner')).email);
    assert.equal((await outsider.get(base)).statusCode, 404, "another organisation's forms are not found");
  });

  test('deleting an update form: its links then say the form no longer exists', async () => {
    const row = await t.db.selectFrom('event_forms').select('id').where('slug', '=', 'sizes').executeTakeFirstOrThrow();
    assert.equal((await owner.get(`${base}/${row.id}/delete`)).statusCode, 200);
    assert.equal((await owner.post(`${base}/${row.id}/delete`, {})).statusCode, 303);
    const page = await new Session(t.app).get(`/e/${event.id}/forms/sizes`);
    assert.equal(page.statusCode, 404);
    assert.match(page.body, /This form does not exist or was removed/);
    assert.equal((await owner.post(`${base}/register/delete`, {})).statusCode, 409, 'the registration form stays');
  });
});

test('an email may link the public registration page literally, never a personal landing page', () => {
  const publicUrl = new URL('https://tessera.test/');
  const lint = (href: string) => lintTemplate({ type: 'invitation', subject: 'x', html: `<a href="${href}">a</a>`, text: null }, { publicUrl }).map((p) => p.rule);
  assert.deepEqual(lint('https://tessera.test/e/01hzzzzzzzzzzzzzzzzzzzzzzz/register'), []);
  assert.deepEqual(lint('https://tessera.test/l/anything'), ['personal_link']);
});
