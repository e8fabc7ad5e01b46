import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing } from '../../../test/helpers/outbox.js';
import { ATTENDEE_COOKIE, STAFF_COOKIE, countRows, setCookieNamed } from '../../../test/helpers/webapp.js';
import { systemActor } from '../../lib/context.js';
import { hashToken } from '../../lib/tokens.js';
import { changeMemberRole } from '../../modules/organisations/index.js';
import type { Participant } from '../../modules/participants/index.js';

const MINUTE = 60_000;

describe('staff preview: open the app as an attendee', () => {
  let t: TestApp;
  let org: Org;
  let seeded: Awaited<ReturnType<typeof seedMailing>>;
  let ada: Participant;
  let staff: { id: string; email: string };
  let colleague: Session;
  let scanner: Session;
  let participantPage: string;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    seeded = await seedMailing(t, org.orgId, [{ email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace', fields: { company: 'Analytical Engines' } }], undefined, [
      { key: 'company', label: 'Company', type: 'text' },
    ]);
    ada = seeded.participants[0]!;
    staff = await seedStaff(t, org.orgId, 'staff');
    colleague = await signedIn(t, (await seedStaff(t, org.orgId, 'staff')).email);
    scanner = await signedIn(t, (await seedStaff(t, org.orgId, 'scanner')).email);
    participantPage = `/admin/o/${org.orgId}/events/${seeded.event.id}/participants/${ada.id}`;
  });
  after(() => t.close());

  /** A staff member presses "Open the app as this attendee"; returns the landing path it leads to. */
  async function startPreview(browser: Session): Promise<string> {
    const response = await browser.post(`${participantPage}/preview`, {});
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    const location = response.headers.location ?? '';
    assert.match(location, /^\/l\/tsr_prev_[a-z2-7]{39}$/);
    return location;
  }

  async function stored(landing: string) {
    return t.db.selectFrom('credentials').selectAll().where('token_hash', '=', hashToken(landing.slice(3))).executeTakeFirstOrThrow();
  }

  test('the participant page offers the preview; scanners cannot open one', async () => {
    const me = await signedIn(t, staff.email);
    const page = await me.get(participantPage);
    assert.match(page.body, new RegExp(`action="${participantPage}/preview"`));
    assert.match(page.body, /Open the app as this attendee/);
    const credentials = await countRows(t, 'credentials');
    const refused = await scanner.post(`${participantPage}/preview`, {});
    assert.equal(refused.statusCode, 403);
    assert.equal(await countRows(t, 'credentials'), credentials, 'nothing minted');
  });

  test('only the issuing staff member’s session opens the link; nobody else consumes it', async () => {
    const me = await signedIn(t, staff.email);
    const landing = await startPreview(me);
    const credential = await stored(landing);
    assert.deepEqual([credential.purpose, credential.single_use, credential.issued_by, credential.subject_id], ['preview', 1, staff.id, ada.id]);
    assert.equal(credential.expires_at, new Date(t.clock.now().getTime() + 15 * MINUTE).toISOString());

    const sessions = await countRows(t, 'attendee_sessions');
    for (const other of [new Session(t.app), colleague]) {
      const page = await other.get(landing);
      assert.equal(page.statusCode, 404);
      assert.match(page.body, /This link cannot be used/);
      assert.ok(!page.body.includes('Ada'), 'not even whose link it is');
      assert.equal((await t.app.inject({ method: 'HEAD', url: landing, headers: { cookie: other.cookieHeader() } })).statusCode, 404);
      const pressed = await other.post(landing, {});
      assert.equal(pressed.statusCode, 404);
      assert.equal(setCookieNamed(pressed, ATTENDEE_COOKIE), undefined);
    }
    assert.equal(await countRows(t, 'attendee_sessions'), sessions, 'no session');
    const untouched = await stored(landing);
    assert.deepEqual([untouched.use_count, untouched.consumed_at, untouched.fetch_count], [0, null, 0], 'not used, not even counted as fetched');

    const mine = await me.get(landing);
    assert.equal(mine.statusCode, 200);
    assert.match(mine.body, /Preview the app as Ada L\./);
  });

  test('a preview is bannered, read-only, audited under both ids, one-time, and leaves the staff session alone', async () => {
    const me = await signedIn(t, staff.email);
    const staffCookie = me.cookies.get(STAFF_COOKIE);
    const landing = await startPreview(me);
    const opened = await me.post(landing, {});
    assert.equal(opened.statusCode, 303);
    assert.equal(opened.headers.location, `/app/${seeded.event.id}`);
    assert.ok(setCookieNamed(opened, ATTENDEE_COOKIE), 'the preview lives in the attendee cookie');
    assert.equal(setCookieNamed(opened, STAFF_COOKIE), undefined, 'the staff cookie is not touched');
    assert.equal(me.cookies.get(STAFF_COOKIE), staffCookie);
    const session = await t.db.selectFrom('attendee_sessions').selectAll().where('kind', '=', 'preview').executeTakeFirstOrThrow();
    assert.deepEqual([session.participant_id, session.staff_id], [ada.id, staff.id]);
    assert.ok(new Date(session.expires_at).getTime() - new Date(session.created_at).getTime() <= 15 * MINUTE);

    const base = `/app/${seeded.event.id}`;
    for (const path of [base, `${base}/edit`]) {
      const page = await me.get(path);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-testid="preview-banner"/, `banner on ${path}`);
    }
    const home = await me.get(base);
    assert.ok(home.body.includes('Analytical Engines') && home.body.includes('ada@example.org'), "the attendee's own data");
    assert.match(home.body, />End preview</);
    const edit = await me.get(`${base}/edit`);
    assert.match(edit.body, /Read-only: a staff preview cannot change anything/);
    assert.match(edit.body, /<fieldset disabled/);
    assert.ok(!edit.body.includes('>Save<'), 'no save button');

    const before = await t.db.selectFrom('participants').selectAll().where('id', '=', ada.id).executeTakeFirstOrThrow();
    const refused = await me.post(`${base}/edit`, { first_name: 'Mallory', last_name: 'X', 'cf.company': 'Evil' });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /A staff preview is read-only: nothing was saved/);
    assert.match(refused.body, /data-testid="preview-banner"/);
    assert.equal((await me.post(`${base}/edit`, { first_name: 'Ada', last_name: 'L', email: 'mallory@example.org' })).statusCode, 400, 'no email field exists');
    assert.deepEqual(await t.db.selectFrom('participants').selectAll().where('id', '=', ada.id).executeTakeFirstOrThrow(), before, 'nothing changed');

    const credential = await stored(landing);
    const audited = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', ada.id).where('action', 'in', ['participant.previewed', 'credential.used', 'participant.preview_link_created']).execute();
    const previewed = audited.find((e) => e.action === 'participant.previewed');
    assert.ok(previewed, 'participant.previewed is written');
    assert.deepEqual([previewed.actor_type, previewed.actor_id, previewed.target_type, previewed.target_id], ['staff', staff.id, 'participant', ada.id]);
    assert.equal(JSON.parse(previewed.data).credentialId, credential.id);
    assert.ok(audited.some((e) => e.action === 'credential.used' && JSON.parse(e.data).credentialId === credential.id));
    assert.ok(audited.some((e) => e.action === 'participant.preview_link_created' && e.actor_id === staff.id));

    assert.equal((await me.get(participantPage)).statusCode, 200, 'the back-office still works');
    const history = await me.get(participantPage);
    assert.match(history.body, /App opened by staff \(preview\)/);
    const again = await me.post(landing, {});
    assert.equal(again.statusCode, 410, 'a preview link works once');
    assert.match(again.body, /This staff preview link for .* has already been used/);

    const ended = await me.post(`${base}/sign-out`, {});
    assert.equal(ended.headers.location, participantPage, 'ending the preview goes back to the participant');
    assert.equal((await me.get(base)).statusCode, 303);
    assert.equal((await me.get(participantPage)).statusCode, 200, 'and the staff session is still there');
  });

  test('a preview ends after 15 minutes, or as soon as its staff member signs out or loses the role', async () => {
    const base = `/app/${seeded.event.id}`;
    const start = t.clock.now();
    try {
      const me = await signedIn(t, staff.email);
      await me.post(await startPreview(me), {});
      t.clock.advance(14 * MINUTE);
      assert.equal((await me.get(base)).statusCode, 200);
      t.clock.advance(2 * MINUTE);
      assert.equal((await me.get(base)).statusCode, 303, '15 minutes at most, however active');

      const unused = await startPreview(me);
      t.clock.advance(16 * MINUTE);
      assert.equal((await me.post(unused, {})).statusCode, 410, 'an unused preview link expires too');
    } finally {
      t.clock.set(start);
    }

    const leaving = await signedIn(t, staff.email);
    await leaving.post(await startPreview(leaving), {});
    assert.equal((await leaving.get(base)).statusCode, 200);
    await leaving.post('/admin/logout', {});
    assert.equal((await leaving.get(base)).statusCode, 303, 'no staff session, no preview');

    const demoted = await signedIn(t, staff.email);
    const pending = await startPreview(demoted);
    await demoted.post(await startPreview(demoted), {});
    await changeMemberRole(t.db, t.ctx, systemActor, org.orgId, staff.id, 'scanner');
    try {
      assert.equal((await demoted.get(base)).statusCode, 303, 'an open preview ends with the role');
      assert.equal((await demoted.get(pending)).statusCode, 404, 'and an unused link no longer opens');
    } finally {
      await changeMemberRole(t.db, t.ctx, systemActor, org.orgId, staff.id, 'staff');
    }
  });
});
