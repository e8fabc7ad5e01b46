import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { createCustomField, listCustomFields } from '../../modules/custom-fields/index.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import { checkParticipant, upsertParticipants, type ValidParticipant } from '../../modules/participants/index.js';

const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };
const BULK = 137;
const NAMED = [
  { email: 'jose.garcia@example.org', firstName: 'José', lastName: 'García-Peñalver', status: 'registered', fields: { diet: 'Vegan', sessions: ['Morning'], newsletter: true } },
  { email: 'anne.muller@example.org', firstName: 'Anne', lastName: 'Müller', status: 'invited', fields: { diet: 'Vegan', sessions: ['Morning', 'Evening'] } },
  { email: 'bo.smith@example.org', firstName: 'Bo', lastName: 'Smith', status: 'registered', fields: { diet: 'None', sessions: ['Evening'] } },
];

function has(body: string, expected: string | RegExp, message = `page contains ${String(expected)}`): void {
  assert.ok(typeof expected === 'string' ? body.includes(expected) : expected.test(body), message);
}

/** Participant ids linked from a list page, in page order. */
function idsOn(body: string): string[] {
  return [...body.matchAll(/\/participants\/([0-9a-z]{26})">/g)].map((m) => m[1]!);
}

function nextLink(body: string): string | null {
  const href = /<a href="([^"]+)">Next »<\/a>/.exec(body)?.[1];
  return href ? href.replaceAll('&amp;', '&') : null;
}

describe('participants list', () => {
  let t: TestApp;
  let org: Org;
  let event: Event;
  let staff: Session;
  const url = (query = '') => `/admin/o/${org.orgId}/events/${event.id}/participants${query}`;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    event = await createEvent(t.db, t.ctx, cli, org.orgId, { name: 'Big Event', startsAt: '2026-09-01T08:00:00Z', endsAt: '2026-09-01T18:00:00Z', timeZone: 'UTC' });
    await createCustomField(t.db, t.ctx, cli, org.orgId, event.id, { key: 'diet', label: 'Diet', type: 'single_choice', options: ['None', 'Vegetarian', 'Vegan'] });
    await createCustomField(t.db, t.ctx, cli, org.orgId, event.id, { key: 'sessions', label: 'Sessions', type: 'multiple_choice', options: ['Morning', 'Evening'] });
    await createCustomField(t.db, t.ctx, cli, org.orgId, event.id, { key: 'newsletter', label: 'Newsletter', type: 'checkbox' });
    const fields = await listCustomFields(t.db, org.orgId, event.id);
    const bulk = Array.from({ length: BULK }, (_, i) => ({
      email: `person${i}@example.org`,
      firstName: `First${i % 7}`,
      // Many equal last names, so the keyset has to break ties on first name and id.
      lastName: `Family${i % 5}`,
      status: i % 3 === 0 ? 'cancelled' : 'imported',
      fields: { diet: i % 2 === 0 ? 'Vegetarian' : 'None' },
    }));
    const rows = [...NAMED, ...bulk].map((input) => {
      const checked = checkParticipant(fields, input);
      assert.ok(checked.ok);
      return checked.value as ValidParticipant;
    });
    await t.db.transaction().execute((trx) => upsertParticipants(trx, t.ctx, cli, org.orgId, event.id, rows, { existing: 'fail', defaultStatus: 'imported' }));
    staff = await signedIn(t, (await seedStaff(t, org.orgId, 'staff')).email);
  });
  after(() => t.close());

  test('the list shows the total and the first page, sorted by name', async () => {
    const page = await staff.get(url());
    assert.equal(page.statusCode, 200);
    has(page.body, `<b>${BULK + NAMED.length}</b> participants`);
    assert.equal(idsOn(page.body).length, 50);
    has(page.body, '<th>Diet</th>');
    assert.ok(page.body.indexOf('Family0, First0') < page.body.indexOf('Family1, First'), 'ordered by last name');
    assert.ok(nextLink(page.body));
    assert.ok(!page.body.includes('First page'), 'already on the first page');
  });

  test('search finds a participant by part of the last name, accent-insensitive', async () => {
    for (const q of ['penal', 'PEÑAL', 'garcia-pe', 'jose garc']) {
      const page = await staff.get(url(`?q=${encodeURIComponent(q)}`));
      assert.equal(page.statusCode, 200);
      has(page.body, '<b>1</b> participant match', q);
      has(page.body, 'García-Peñalver, José', q);
    }
    has((await staff.get(url('?q=muller'))).body, 'Müller, Anne');
    has((await staff.get(url('?q=nobody-like-this'))).body, 'Nobody matches these filters.');
    const percent = await staff.get(url('?q=%25'));
    has(percent.body, '<b>0</b> participants match', 'a % in the search is a character, not a wildcard');
  });

  test('filters by status and by a choice field value', async () => {
    const vegan = await staff.get(url('?f=diet%3AVegan'));
    has(vegan.body, '<b>2</b> participants match');
    has(vegan.body, '<option value="diet:Vegan" selected');
    const veganRegistered = await staff.get(url('?f=diet%3AVegan&status=registered'));
    has(veganRegistered.body, '<b>1</b> participant match');
    has(veganRegistered.body, 'García-Peñalver');
    const twoStatuses = await staff.get(url('?status=registered&status=invited'));
    has(twoStatuses.body, '<b>3</b> participants match');
    has(twoStatuses.body, '<input type="checkbox" name="status" value="invited" checked');
    const evening = await staff.get(url('?f=sessions%3AEvening'));
    has(evening.body, '<b>2</b> participants match', 'multiple choice: contains the value');
    const newsletter = await staff.get(url('?f=newsletter%3Atrue'));
    has(newsletter.body, '<b>1</b> participant match', 'checkbox: yes');
    const cancelled = (await staff.get(url('?status=cancelled'))).body;
    has(cancelled, `<b>${Math.ceil(BULK / 3)}</b> participants match`);
    const unknownField = await staff.get(url('?f=gone%3Ax'));
    has(unknownField.body, `<b>${BULK + NAMED.length}</b> participants`, 'a filter on a deleted field is ignored');
    assert.equal((await staff.get(url('?status=bogus'))).statusCode, 400);
  });

  test('pagination walks every participant exactly once, keeping the filters', async () => {
    for (const query of ['?limit=25', '?sort=email&dir=desc&limit=25', '?sort=status&limit=25', '?sort=created&dir=desc', '?status=imported&status=cancelled&f=diet%3AVegetarian&dir=desc&limit=25']) {
      const seen: string[] = [];
      let next: string | null = url(query);
      let pages = 0;
      let expected = 0;
      while (next) {
        const page = await staff.get(next);
        assert.equal(page.statusCode, 200, next);
        expected ||= Number(/<b>(\d+)<\/b> participant/.exec(page.body)?.[1]);
        seen.push(...idsOn(page.body));
        if (pages > 0) has(page.body, '« First page');
        next = nextLink(page.body);
        if (next) for (const part of query.slice(1).split('&')) has(next, part, `${next} keeps ${part}`);
        pages += 1;
        assert.ok(pages < 20, 'no endless paging');
      }
      assert.equal(new Set(seen).size, seen.length, `${query}: nobody twice`);
      assert.equal(seen.length, expected, `${query}: everybody once`);
    }
  });

  test('a forged cursor is refused with 400, not 500', async () => {
    assert.equal((await staff.get(url('?cursor=not-a-cursor'))).statusCode, 400);
    const wrongShape = Buffer.from(JSON.stringify([1, 2, 3])).toString('base64url');
    assert.equal((await staff.get(url(`?cursor=${wrongShape}`))).statusCode, 400);
  });
});
