import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { PASSWORD, seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { roleOf } from '../../modules/organisations/index.js';

const NEW_PASSWORD = 'a brand new passphrase';
let counter = 0;
const freshEmail = () => `new${++counter}-${process.pid}@example.org`;

describe('staff management', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let admin: Session;
  let adminId: string;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    const a = await seedStaff(t, org.orgId, 'admin');
    adminId = a.id;
    owner = await signedIn(t, org.ownerEmail);
    admin = await signedIn(t, a.email);
  });
  after(() => t.close());

  const staffUrl = (suffix = '') => `/admin/o/${org.orgId}/staff${suffix}`;

  test('an admin can add a staff member who can then sign in', async () => {
    const email = freshEmail();
    const added = await admin.post(staffUrl(), { name: 'Sam Staff', email, role: 'staff', password: NEW_PASSWORD });
    assert.equal(added.statusCode, 303);
    assert.equal(added.headers.location, staffUrl('?done=created'));
    const page = await admin.get(staffUrl());
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Sam Staff/);
    assert.ok(page.body.includes(email));
    const sam = await signedIn(t, email, NEW_PASSWORD);
    assert.equal((await sam.get(staffUrl())).statusCode, 200, 'the new member reaches the organisation');
  });

  test('adding an email that already has an account adds that account and keeps its password', async () => {
    const other = await seedOrganisation(t, 'Other Org');
    const added = await admin.post(staffUrl(), { name: 'ignored', email: other.ownerEmail, role: 'scanner', password: NEW_PASSWORD });
    assert.equal(added.statusCode, 303);
    assert.equal(added.headers.location, staffUrl('?done=member_existing'));
    assert.equal(await roleOf(t.db, org.orgId, other.ownerId), 'scanner');
    await signedIn(t, other.ownerEmail, PASSWORD);
    const refused = await new Session(t.app).post('/admin/login', { email: other.ownerEmail, password: NEW_PASSWORD });
    assert.equal(refused.statusCode, 401, 'the password typed by the admin was not applied');
  });

  test('a new account needs an initial password of at least 10 characters', async () => {
    const email = freshEmail();
    const missing = await admin.post(staffUrl(), { name: 'No Password', email, role: 'staff', password: '' });
    assert.equal(missing.statusCode, 400);
    const short = await admin.post(staffUrl(), { name: 'Short Password', email, role: 'staff', password: 'short' });
    assert.equal(short.statusCode, 400);
    assert.ok(!(await admin.get(staffUrl())).body.includes(email), 'no account, no membership');
  });

  test('adding someone who is already a member is refused', async () => {
    const response = await admin.post(staffUrl(), { name: 'Again', email: org.ownerEmail, role: 'staff', password: '' });
    assert.equal(response.statusCode, 409);
  });

  test('a staff-role member sees the staff list but cannot change roles (403)', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    const session = await signedIn(t, member.email);
    const page = await session.get(staffUrl());
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Change role|Add a staff member/);
    assert.equal((await session.post(staffUrl(`/${adminId}/role`), { role: 'scanner' })).statusCode, 403);
    assert.equal((await session.post(staffUrl(`/${member.id}/role`), { role: 'admin' })).statusCode, 403, 'not even for themselves');
    assert.equal((await session.post(staffUrl(`/${adminId}/remove`), {})).statusCode, 403);
    assert.equal((await session.post(staffUrl(), { name: 'X', email: freshEmail(), role: 'staff', password: NEW_PASSWORD })).statusCode, 403);
    assert.equal(await roleOf(t.db, org.orgId, adminId), 'admin');
  });

  test('a scanner cannot open the staff page (403)', async () => {
    const scanner = await seedStaff(t, org.orgId, 'scanner');
    const session = await signedIn(t, scanner.email);
    assert.equal((await session.get(staffUrl())).statusCode, 403);
  });

  test('an admin manages staff roles but can neither grant the owner role nor touch an owner', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    assert.equal((await admin.post(staffUrl(`/${member.id}/role`), { role: 'admin' })).statusCode, 303);
    assert.equal(await roleOf(t.db, org.orgId, member.id), 'admin');
    assert.equal((await admin.post(staffUrl(`/${member.id}/role`), { role: 'owner' })).statusCode, 403);
    assert.equal((await admin.post(staffUrl(`/${adminId}/role`), { role: 'owner' })).statusCode, 403, 'no self-promotion');
    assert.equal((await admin.post(staffUrl(`/${org.ownerId}/role`), { role: 'staff' })).statusCode, 403);
    assert.equal((await admin.post(staffUrl(`/${org.ownerId}/remove`), {})).statusCode, 403);
    assert.equal((await admin.post(staffUrl(), { name: 'O', email: freshEmail(), role: 'owner', password: NEW_PASSWORD })).statusCode, 403);
    assert.equal(await roleOf(t.db, org.orgId, org.ownerId), 'owner');
  });

  test('a role outside the list is refused (400)', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    assert.equal((await owner.post(staffUrl(`/${member.id}/role`), { role: 'superuser' })).statusCode, 400);
  });

  test('a removed member loses access to the organisation at once', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    const session = await signedIn(t, member.email);
    const removed = await admin.post(staffUrl(`/${member.id}/remove`), {});
    assert.equal(removed.statusCode, 303);
    assert.equal(removed.headers.location, staffUrl('?done=deleted'));
    assert.equal((await session.get(staffUrl())).statusCode, 404);
  });

  test('a removal or role change with a forged CSRF token is refused', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    assert.equal((await owner.post(staffUrl(`/${member.id}/remove`), { _csrf: 'forged' }, { csrf: false })).statusCode, 403);
    assert.equal((await owner.post(staffUrl(`/${member.id}/role`), { _csrf: 'forged', role: 'admin' }, { csrf: false })).statusCode, 403);
    assert.equal(await roleOf(t.db, org.orgId, member.id), 'staff');
  });
});

describe('owners', () => {
  test('the last owner cannot be demoted or removed, but can hand over to another owner', async () => {
    const t = await createTestApp();
    try {
      const org = await seedOrganisation(t);
      const owner = await signedIn(t, org.ownerEmail);
      const url = (suffix: string) => `/admin/o/${org.orgId}/staff${suffix}`;
      assert.equal((await owner.post(url(`/${org.ownerId}/role`), { role: 'admin' })).statusCode, 409);
      assert.equal((await owner.post(url(`/${org.ownerId}/remove`), {})).statusCode, 409);
      assert.equal(await roleOf(t.db, org.orgId, org.ownerId), 'owner');

      const next = await seedStaff(t, org.orgId, 'admin');
      assert.equal((await owner.post(url(`/${next.id}/role`), { role: 'owner' })).statusCode, 303);
      assert.equal((await owner.post(url(`/${org.ownerId}/role`), { role: 'admin' })).statusCode, 303);
      assert.equal(await roleOf(t.db, org.orgId, org.ownerId), 'admin');
    } finally {
      await t.close();
    }
  });
});

describe('tenant isolation of back-office pages', () => {
  test("a member of organisation A gets 404 on organisation B's staff, audit and settings pages", async () => {
    const t = await createTestApp();
    try {
      const a = await seedOrganisation(t, 'Org A');
      const b = await seedOrganisation(t, 'Org B');
      const ownerA = await signedIn(t, a.ownerEmail);
      for (const page of ['staff', 'audit', 'settings']) {
        assert.equal((await ownerA.get(`/admin/o/${b.orgId}/${page}`)).statusCode, 404, page);
      }
      const base = `/admin/o/${b.orgId}`;
      assert.equal((await ownerA.post(`${base}/staff`, { name: 'X', email: freshEmail(), role: 'owner', password: NEW_PASSWORD })).statusCode, 404);
      assert.equal((await ownerA.post(`${base}/staff/${b.ownerId}/role`, { role: 'scanner' })).statusCode, 404);
      assert.equal((await ownerA.post(`${base}/staff/${b.ownerId}/remove`, {})).statusCode, 404);
      assert.equal((await ownerA.post(`${base}/settings`, { name: 'Taken over' })).statusCode, 404);
      assert.equal(await roleOf(t.db, b.orgId, b.ownerId), 'owner');
      // Org A's own routes cannot reach B's owner either: memberships are looked up per organisation.
      assert.equal((await ownerA.post(`/admin/o/${a.orgId}/staff/${b.ownerId}/remove`, {})).statusCode, 404);
    } finally {
      await t.close();
    }
  });
});
