import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { audit } from '../../modules/audit/index.js';

const cli = { type: 'cli' as const, id: null, label: 'seed', ip: null };

/** The audit table's body rows, each as its cells' text. */
function rows(html: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"'));
}

function olderLink(html: string): string | null {
  const href = /<a href="([^"]+)">Older/.exec(html)?.[1];
  return href ? href.replace(/&amp;/g, '&') : null;
}

describe('audit log page', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let auditUrl: string;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    auditUrl = `/admin/o/${org.orgId}/audit`;
  });
  after(() => t.close());

  test('the audit log shows sign-ins and staff changes with actor and IP', async () => {
    const password = 'secret-initial-password';
    // Ids order by millisecond only; within one the order is random, so the clock moves on.
    t.clock.advance(1000);
    const added = await owner.post(`/admin/o/${org.orgId}/staff`, { name: 'Nia New', email: 'nia@example.org', role: 'staff', password });
    assert.equal(added.statusCode, 303);
    const page = await owner.get(auditUrl);
    assert.equal(page.statusCode, 200);
    const list = rows(page.body);
    const signIn = list.find((row) => row.includes('staff.signed_in'));
    assert.ok(signIn, 'the sign-in, written without an organisation, is shown for a member');
    assert.ok(signIn.includes(org.ownerEmail) && signIn.includes('127.0.0.1'));
    const addition = list.find((row) => row.includes('staff.added'));
    assert.ok(addition, 'the addition is shown');
    assert.ok(addition.includes(org.ownerEmail) && addition.includes('"role":"staff"') && addition.includes('Nia New'));
    assert.ok(list.some((row) => row.includes('staff.account_created') && row.includes('nia@example.org')));
    assert.ok(list.indexOf(addition) < list.indexOf(signIn), 'newest first');
    assert.ok(!page.body.includes(password), 'the initial password never reaches the log');
  });

  test('it pages 50 entries at a time, newest first, through ?before', async () => {
    const fresh = await seedOrganisation(t, 'Busy Org');
    for (let n = 1; n <= 120; n++) {
      t.clock.advance(1000);
      await audit(t.db, t.ctx, cli, { orgId: fresh.orgId, action: 'test.entry', data: { n } });
    }
    const session = await signedIn(t, fresh.ownerEmail);
    const url = `/admin/o/${fresh.orgId}/audit?action=test.`;
    const first = await session.get(url);
    const second = await session.get(olderLink(first.body) ?? 'missing');
    const third = await session.get(olderLink(second.body) ?? 'missing');
    assert.deepEqual([first, second, third].map((r) => rows(r.body).length), [50, 50, 20]);
    assert.match(rows(first.body)[0] ?? '', /"n":120/);
    assert.match(rows(second.body)[0] ?? '', /"n":70/);
    assert.match(rows(third.body)[19] ?? '', /"n":1\}/);
    assert.equal(olderLink(third.body), null, 'no older page after the last');
    assert.ok(olderLink(first.body)?.includes('action=test.'), 'the filter is kept while paging');
  });

  test('it filters by action prefix, underscores included, and by target', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    t.clock.advance(1000);
    assert.equal((await owner.post(`/admin/o/${org.orgId}/staff/${member.id}/role`, { role: 'scanner' })).statusCode, 303);
    const byAction = rows((await owner.get(`${auditUrl}?action=staff.role_changed`)).body);
    assert.equal(byAction.length, 1);
    assert.match(byAction[0] ?? '', /"from":"staff","to":"scanner"/);
    const byTarget = rows((await owner.get(`${auditUrl}?target_type=staff&target_id=${member.id}`)).body);
    assert.deepEqual(
      byTarget.map((row) => /staff\.[a-z_]+/.exec(row)?.[0]),
      ['staff.role_changed', 'staff.added'],
    );
    assert.equal(rows((await owner.get(`${auditUrl}?action=staff_role_changed`)).body).length, 0, '_ is no wildcard');
  });

  test('entries of another organisation and sign-ins of non-members never show', async () => {
    const other = await seedOrganisation(t, 'Elsewhere');
    await audit(t.db, t.ctx, cli, { orgId: other.orgId, action: 'test.elsewhere' });
    await signedIn(t, other.ownerEmail);
    const page = await owner.get(auditUrl);
    assert.ok(!page.body.includes('test.elsewhere'));
    assert.ok(!page.body.includes(other.ownerEmail));
  });

  test('a staff-role member cannot read the audit log (403)', async () => {
    const member = await seedStaff(t, org.orgId, 'staff');
    const session = await signedIn(t, member.email);
    assert.equal((await session.get(auditUrl)).statusCode, 403);
  });

  test('a malformed cursor or filter is refused (400)', async () => {
    assert.equal((await owner.get(`${auditUrl}?before=not-an-id`)).statusCode, 400);
    assert.equal((await owner.get(`${auditUrl}?action=%25`)).statusCode, 400);
  });
});
