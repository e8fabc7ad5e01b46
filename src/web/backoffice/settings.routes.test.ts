import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { PASSWORD, seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { getOrganisation } from '../../modules/organisations/index.js';

const NEW_PASSWORD = 'another long passphrase';

describe('organisation settings', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let url: string;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    url = `/admin/o/${org.orgId}/settings`;
  });
  after(() => t.close());

  test('a new organisation requires email validation, and an owner can turn it off and rename it', async () => {
    const page = await owner.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /name="emailValidationRequired" checked/);
    const saved = await owner.post(url, { name: '  Renamed Events  ' });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, `${url}?done=saved`);
    const after = await getOrganisation(t.db, org.orgId);
    assert.equal(after.name, 'Renamed Events');
    assert.equal(after.settings.emailValidationRequired, false);
    assert.match((await owner.get(`${url}?done=saved`)).body, /Saved\./);

    assert.equal((await owner.post(url, { name: 'Renamed Events', emailValidationRequired: 'on' })).statusCode, 303);
    assert.equal((await getOrganisation(t.db, org.orgId)).settings.emailValidationRequired, true);
    const log = (await owner.get(`/admin/o/${org.orgId}/audit?action=organisation.updated`)).body;
    assert.match(log, /organisation\.updated/);
  });

  test('an admin can view the settings but not change them (403)', async () => {
    const admin = await seedStaff(t, org.orgId, 'admin');
    const session = await signedIn(t, admin.email);
    const page = await session.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Only an owner can change these settings/);
    assert.doesNotMatch(page.body, /Save settings/);
    assert.equal((await session.post(url, { name: 'Admin was here' })).statusCode, 403);
    assert.notEqual((await getOrganisation(t.db, org.orgId)).name, 'Admin was here');
  });

  test('a staff-role member cannot open the settings (403)', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    assert.equal((await (await signedIn(t, member.email)).get(url)).statusCode, 403);
  });

  test('a blank name or an unknown field is refused and nothing changes', async () => {
    const before = await getOrganisation(t.db, org.orgId);
    assert.equal((await owner.post(url, { name: '   ' })).statusCode, 400);
    assert.equal((await owner.post(url, { name: 'Fine', slug: 'hijack' })).statusCode, 400);
    assert.equal((await owner.post(url, { name: 'x'.repeat(201) })).statusCode, 400);
    assert.deepEqual(await getOrganisation(t.db, org.orgId), before);
  });
});

describe('changing my password', () => {
  let t: TestApp;
  let org: Org;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
  });
  after(() => t.close());

  const change = (session: Session, currentPassword: string, newPassword: string, newPasswordAgain = newPassword) =>
    session.post('/admin/account/password', { currentPassword, newPassword, newPasswordAgain });

  test('the account page asks a signed-out visitor to sign in', async () => {
    const response = await new Session(t.app).get('/admin/account');
    assert.equal(response.statusCode, 303);
    assert.match(String(response.headers.location), /^\/admin\/login\?next=%2Fadmin%2Faccount$/);
  });

  test('changing the password ends other sessions', async () => {
    const member = await seedStaff(t, org.orgId, 'admin');
    const here = await signedIn(t, member.email);
    const elsewhere = await signedIn(t, member.email);
    assert.equal((await here.get('/admin/account')).statusCode, 200);
    const response = await change(here, PASSWORD, NEW_PASSWORD);
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/admin/login?done=password_changed');
    assert.equal(here.cookies.has('tessera_staff'), false, 'this browser forgets the cookie');
    for (const session of [here, elsewhere]) {
      const page = await session.get(`/admin/o/${org.orgId}/staff`);
      assert.equal(page.statusCode, 303);
      assert.match(String(page.headers.location), /^\/admin\/login/);
    }
    assert.equal((await new Session(t.app).post('/admin/login', { email: member.email, password: PASSWORD })).statusCode, 401);
    await signedIn(t, member.email, NEW_PASSWORD);
    const log = (await (await signedIn(t, org.ownerEmail)).get(`/admin/o/${org.orgId}/audit?action=staff.password_changed`)).body;
    assert.ok(log.includes(member.email) && !log.includes(NEW_PASSWORD));
  });

  test('a wrong current password changes nothing', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    const session = await signedIn(t, member.email);
    const response = await change(session, 'not my password', NEW_PASSWORD);
    assert.equal(response.statusCode, 401);
    assert.match(response.body, /The current password is not correct/);
    assert.equal((await session.get('/admin/account')).statusCode, 200, 'still signed in');
    await signedIn(t, member.email, PASSWORD);
  });

  test('the new password needs at least 10 characters, typed the same twice', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    const session = await signedIn(t, member.email);
    assert.equal((await change(session, PASSWORD, 'short')).statusCode, 400);
    assert.equal((await change(session, PASSWORD, NEW_PASSWORD, `${NEW_PASSWORD}!`)).statusCode, 400);
    await signedIn(t, member.email, PASSWORD);
  });
});
