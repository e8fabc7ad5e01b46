import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { apiClient, createEventViaApi, type ApiClient } from '../../test/helpers/api.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';

interface ParticipantJson {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  status: string;
  fields: Record<string, unknown>;
}

describe('participants through the API', () => {
  let t: TestApp;
  let api: ApiClient;
  let keyId: string;
  before(async () => {
    t = await createTestApp();
    api = await apiClient(t, (await seedOrganisation(t)).orgId);
    keyId = (await t.db.selectFrom('api_keys').select('id').executeTakeFirstOrThrow()).id;
  });
  after(() => t.close());

  async function eventWithFields(): Promise<string> {
    const eventId = await createEventViaApi(api);
    assert.equal((await api.post(`/events/${eventId}/fields`, { key: 'company', label: 'Company', type: 'text' })).statusCode, 201);
    const diet = { key: 'diet', label: 'Diet', type: 'single_choice', options: ['vegan', 'vegetarian', 'none'] };
    assert.equal((await api.post(`/events/${eventId}/fields`, diet)).statusCode, 201);
    return eventId;
  }

  test('a participant is created, read and changed', async () => {
    const eventId = await eventWithFields();
    const created = await api.post(`/events/${eventId}/participants`, { email: 'Ada@Example.org', first_name: 'Ada', fields: { company: 'Analytical', diet: 'vegan' } });
    assert.equal(created.statusCode, 201);
    const ada = created.json() as ParticipantJson;
    assert.equal(ada.status, 'registered');
    assert.deepEqual(ada.fields, { company: 'Analytical', diet: 'vegan' });

    const changed = await api.patch(`/events/${eventId}/participants/${ada.id}`, { last_name: 'Lovelace', fields: { diet: null } });
    assert.equal(changed.statusCode, 200);
    assert.equal(changed.json().last_name, 'Lovelace');
    assert.equal(changed.json().first_name, 'Ada', 'absent fields are kept');
    assert.deepEqual(changed.json().fields, { company: 'Analytical' }, 'null clears a value');
    assert.deepEqual((await api.get(`/events/${eventId}/participants/${ada.id}`)).json(), changed.json());

    const duplicate = await api.post(`/events/${eventId}/participants`, { email: 'ada@example.org' });
    assert.equal(duplicate.statusCode, 409);
    assert.equal(duplicate.json().error.code, 'duplicate_email');
    const badChoice = await api.patch(`/events/${eventId}/participants/${ada.id}`, { fields: { diet: 'carnivore' } });
    assert.equal(badChoice.statusCode, 400);
    assert.equal(badChoice.json().error.details[0].path, '/diet');
  });

  test('bulk upsert with one bad item writes nothing and reports the item', async () => {
    const eventId = await eventWithFields();
    const items = [
      { email: 'one@example.org', first_name: 'One' },
      { email: 'two@example.org', fields: { diet: 'carnivore' } },
      { email: 'three@example.org' },
      { email: 'not-an-email' },
      { email: 'ONE@example.org' },
    ];
    const response = await api.post(`/events/${eventId}/participants/bulk`, { items });
    assert.equal(response.statusCode, 422);
    const error = response.json().error;
    assert.equal(error.code, 'items_invalid');
    assert.deepEqual(
      error.details.map((d: { index: number; errors: Array<{ field: string }> }) => [d.index, d.errors.map((e) => e.field)]),
      [
        [1, ['diet']],
        [3, ['email']],
        [4, ['email']],
      ],
    );
    assert.equal((await api.get(`/events/${eventId}/participants`)).json().data.length, 0, 'nothing written');
    const contacts = await t.db.selectFrom('contacts').select('email').where('email', 'in', ['one@example.org', 'three@example.org']).execute();
    assert.equal(contacts.length, 0, 'not even contacts');
  });

  test('bulk upsert updates by email case-insensitively', async () => {
    const eventId = await eventWithFields();
    const first = await api.post(`/events/${eventId}/participants/bulk`, {
      items: [
        { email: 'Grace.Hopper@Example.org', first_name: 'Grace', fields: { company: 'Navy' } },
        { email: 'alan@example.org', first_name: 'Alan' },
      ],
    });
    assert.equal(first.statusCode, 200);
    assert.deepEqual({ ...(first.json() as object), data: undefined }, { created: 2, updated: 0, skipped: 0, data: undefined });
    const [grace] = first.json().data as Array<{ index: number; id: string }>;

    const second = await api.post(`/events/${eventId}/participants/bulk`, {
      items: [
        { email: 'GRACE.HOPPER@example.ORG', last_name: 'Hopper', fields: { diet: 'vegetarian' } },
        { email: 'linus@example.org', status: 'invited' },
      ],
    });
    assert.equal(second.statusCode, 200);
    assert.equal(second.json().created, 1);
    assert.equal(second.json().updated, 1);
    assert.equal(second.json().data[0].id, grace?.id, 'matched to the same participant');

    const stored = (await api.get(`/events/${eventId}/participants/${grace?.id}`)).json() as ParticipantJson;
    assert.equal(stored.email, 'Grace.Hopper@example.org');
    assert.equal(stored.first_name, 'Grace');
    assert.equal(stored.last_name, 'Hopper');
    assert.deepEqual(stored.fields, { company: 'Navy', diet: 'vegetarian' });
    const all = (await api.get(`/events/${eventId}/participants`)).json().data as ParticipantJson[];
    assert.deepEqual(all.map((p) => [p.email, p.status]).sort(), [
      ['Grace.Hopper@example.org', 'imported'],
      ['alan@example.org', 'imported'],
      ['linus@example.org', 'invited'],
    ]);

    const skipped = await api.post(`/events/${eventId}/participants/bulk`, { on_existing: 'skip', items: [{ email: 'alan@example.org', first_name: 'Changed' }] });
    assert.deepEqual({ ...(skipped.json() as object), data: undefined }, { created: 0, updated: 0, skipped: 1, data: undefined });
    const alan = (await api.get(`/events/${eventId}/participants?q=alan`)).json().data as ParticipantJson[];
    assert.equal(alan[0]?.first_name, 'Alan', 'skip leaves the participant as it was');
  });

  test('bulk upsert takes up to 1000 items and refuses more', async () => {
    const eventId = await createEventViaApi(api);
    const items = Array.from({ length: 1000 }, (_, i) => ({ email: `guest${i}@example.org`, first_name: `Guest ${i}` }));
    const ok = await api.post(`/events/${eventId}/participants/bulk`, { items });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().created, 1000);
    const tooMany = await api.post(`/events/${eventId}/participants/bulk`, { items: [...items, { email: 'one-more@example.org' }] });
    assert.equal(tooMany.statusCode, 400);
    assert.equal(tooMany.json().error.code, 'validation_failed');
  });

  test('cursor pagination returns every participant once', async () => {
    const eventId = await createEventViaApi(api);
    // Shared last names make the sort key tie, so the id tiebreak is exercised.
    const items = Array.from({ length: 57 }, (_, i) => ({ email: `p${i}@example.org`, first_name: `P${i % 5}`, last_name: ['Martin', 'Bernard', 'Dubois'][i % 3] }));
    assert.equal((await api.post(`/events/${eventId}/participants/bulk`, { items })).statusCode, 200);
    for (const order of ['sort=name', 'sort=email&dir=desc', 'sort=created', 'sort=status&dir=desc']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `${order}&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await api.get(`/events/${eventId}/participants?${query}`);
        assert.equal(page.statusCode, 200, page.body);
        const body = page.json() as { data: ParticipantJson[]; next_cursor: string | null };
        seen.push(...body.data.map((p) => p.id));
        cursor = body.next_cursor;
        pages += 1;
      } while (cursor && pages < 20);
      assert.equal(pages, 6, order);
      assert.equal(seen.length, 57, order);
      assert.equal(new Set(seen).size, 57, `${order}: no participant twice`);
    }
    const filtered = (await api.get(`/events/${eventId}/participants?q=bernard&status=imported,registered&limit=200`)).json();
    assert.equal(filtered.data.length, 19);
    assert.equal(filtered.next_cursor, null);
  });

  test('API writes are in the audit log with the key as actor', async () => {
    const eventId = await eventWithFields();
    const ip = '203.0.113.7';
    const created = await t.app.inject({
      method: 'POST',
      url: `/api/v1/events/${eventId}/participants`,
      headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'audited@example.org' }),
      remoteAddress: ip,
    });
    assert.equal(created.statusCode, 201);
    const participantId = created.json().id as string;
    await api.patch(`/events/${eventId}/participants/${participantId}`, { first_name: 'Audited' });
    await api.post(`/events/${eventId}/participants/bulk`, { items: [{ email: 'bulk-audited@example.org' }] });

    const entries = await t.db.selectFrom('audit_log').selectAll().where('actor_type', '=', 'api_key').orderBy('id').execute();
    const actions = entries.map((e) => e.action);
    for (const action of ['event.created', 'custom_field.created', 'participant.created', 'participant.updated']) {
      assert.ok(actions.includes(action), `${action} is audited`);
    }
    for (const entry of entries) {
      assert.equal(entry.actor_id, keyId);
      assert.equal(entry.actor_label, 'Test integration');
    }
    const first = entries.find((e) => e.action === 'participant.created' && e.target_id === participantId);
    assert.equal(first?.ip, ip);
    assert.ok(!JSON.stringify(entries).includes(api.key), 'never the key itself');
  });
});
