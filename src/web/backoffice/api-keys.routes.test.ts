import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { ApiClient } from '../../../test/helpers/api.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { hashToken, tokenKind } from '../../lib/tokens.js';

const KEY_IN_PAGE = /id="new-api-key"[^>]*value="(tsr_apikey_[a-z2-7]+)"|value="(tsr_apikey_[a-z2-7]+)"[^>]*id="new-api-key"/;

function keyFrom(html: string): string {
  const match = KEY_IN_PAGE.exec(html);
  const key = match?.[1] ?? match?.[2];
  if (!key) throw new Error('no key on the page');
  return key;
}

describe('API keys in the back-office', () => {
  let t: TestApp;
  let org: Org;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
  });
  after(() => t.close());

  test('a key is shown once and only its hash is stored', async () => {
    const owner = await signedIn(t, org.ownerEmail);
    const page = `/admin/o/${org.orgId}/api-keys`;
    const created = await owner.post(page, { name: 'CRM sync' });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers['cache-control'], 'no-store');
    const key = keyFrom(created.body);
    assert.equal(tokenKind(key), 'apikey');

    const rows = await t.db.selectFrom('api_keys').selectAll().where('org_id', '=', org.orgId).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.key_hash, hashToken(key));
    assert.equal(rows[0]?.display_prefix, key.slice(0, 16));
    assert.ok(!JSON.stringify(rows).includes(key), 'the raw key is in no column');
    const audit = await t.db.selectFrom('audit_log').select('data').where('action', 'like', 'api_key.%').execute();
    assert.ok(!JSON.stringify(audit).includes(key), 'nor in the audit log');

    const list = await owner.get(page);
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(key), 'the list shows the prefix only');
    assert.ok(list.body.includes(key.slice(0, 16)));
    assert.ok(list.body.includes('CRM sync'));

    const api = new ApiClient(t, key);
    assert.equal((await api.get('/events')).statusCode, 200, 'the shown key works');
  });

  test('a revoked key gets 401 on the next request', async () => {
    const owner = await signedIn(t, org.ownerEmail);
    const key = keyFrom((await owner.post(`/admin/o/${org.orgId}/api-keys`, { name: 'Short-lived' })).body);
    const api = new ApiClient(t, key);
    assert.equal((await api.get('/events')).statusCode, 200);

    const row = await t.db.selectFrom('api_keys').select('id').where('key_hash', '=', hashToken(key)).executeTakeFirstOrThrow();
    const revoked = await owner.post(`/admin/o/${org.orgId}/api-keys/${row.id}/revoke`, {});
    assert.equal(revoked.statusCode, 303);

    const refused = await api.get('/events');
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error.code, 'invalid_api_key');
    const list = await owner.get(`/admin/o/${org.orgId}/api-keys`);
    assert.match(list.body, /revoked/);
  });

  test('creating and revoking a key are in the audit log under the staff member', async () => {
    const owner = await signedIn(t, org.ownerEmail);
    const key = keyFrom((await owner.post(`/admin/o/${org.orgId}/api-keys`, { name: 'Audited' })).body);
    const row = await t.db.selectFrom('api_keys').select('id').where('key_hash', '=', hashToken(key)).executeTakeFirstOrThrow();
    await owner.post(`/admin/o/${org.orgId}/api-keys/${row.id}/revoke`, {});
    const entries = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', row.id).orderBy('id').execute();
    assert.deepEqual(
      entries.map((e) => [e.action, e.actor_type, e.actor_id]),
      [
        ['api_key.created', 'staff', org.ownerId],
        ['api_key.revoked', 'staff', org.ownerId],
      ],
    );
  });

  test('only admins and owners manage keys, and only their own organisation\'s', async () => {
    const staff = await seedStaff(t, org.orgId, 'staff');
    const member = await signedIn(t, staff.email);
    assert.equal((await member.get(`/admin/o/${org.orgId}/api-keys`)).statusCode, 403);
    assert.equal((await member.post(`/admin/o/${org.orgId}/api-keys`, { name: 'Nope' })).statusCode, 403);

    const other = await seedOrganisation(t, 'Other Org');
    const otherOwner = await signedIn(t, other.ownerEmail);
    const row = await t.db.selectFrom('api_keys').select('id').where('org_id', '=', org.orgId).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
    assert.equal((await otherOwner.get(`/admin/o/${org.orgId}/api-keys`)).statusCode, 404);
    assert.equal((await otherOwner.post(`/admin/o/${other.orgId}/api-keys/${row.id}/revoke`, {})).statusCode, 404, "another organisation's key");
    const still = await t.db.selectFrom('api_keys').select('revoked_at').where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.equal(still.revoked_at, null);
  });
});
