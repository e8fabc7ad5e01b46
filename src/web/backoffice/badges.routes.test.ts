import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { pdfPages, type PdfPage } from '../../../test/helpers/pdf.js';
import { canonicalEmail } from '../../lib/email.js';
import { createCustomField } from '../../modules/custom-fields/index.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import { createParticipant, upsertParticipants, type Participant } from '../../modules/participants/index.js';

const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };
const MM = 72 / 25.4;

async function seedEvent(t: TestApp, orgId: string): Promise<Event> {
  const event = await createEvent(t.db, t.ctx, cli, orgId, {
    name: `Summit ${Math.random().toString(36).slice(2, 8)}`,
    startsAt: '2026-09-01T08:00:00Z',
    endsAt: '2026-09-02T18:00:00Z',
    timeZone: 'UTC',
  });
  await createCustomField(t.db, t.ctx, cli, orgId, event.id, { key: 'company', label: 'Company', type: 'text' });
  await createCustomField(t.db, t.ctx, cli, orgId, event.id, { key: 'role', label: 'Role', type: 'single_choice', options: ['Speaker', 'Guest'] });
  return event;
}

async function person(t: TestApp, orgId: string, eventId: string, first: string, last: string, status: Participant['status'], company = ''): Promise<Participant> {
  const email = `${first}.${last}.${Math.random().toString(36).slice(2, 8)}@example.org`.toLowerCase();
  return createParticipant(t.db, t.ctx, cli, orgId, eventId, { email, firstName: first, lastName: last, status, fields: company ? { company } : {} });
}

async function pdf(response: LightMyRequestResponse): Promise<PdfPage[]> {
  assert.equal(response.statusCode, 200, response.body.slice(0, 300));
  assert.equal(response.headers['content-type'], 'application/pdf');
  assert.equal(response.headers['cache-control'], 'no-store');
  assert.equal(response.rawPayload.subarray(0, 5).toString(), '%PDF-');
  return pdfPages(response.rawPayload);
}

async function audits(t: TestApp, targetId: string) {
  const rows = await t.db.selectFrom('audit_log').select(['action', 'data', 'actor_id']).where('action', '=', 'badges.downloaded').where('target_id', '=', targetId).orderBy('id').execute();
  return rows.map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
}

describe('badges', () => {
  let t: TestApp;
  let org: Org;
  let staff: Session;
  let staffId: string;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    const member = await seedStaff(t, org.orgId, 'staff');
    staffId = member.id;
    staff = await signedIn(t, member.email);
  });
  after(() => t.close());

  test("a registered participant's badge is a one-page A6 PDF with their name and company, and the download is audited", async () => {
    const event = await seedEvent(t, org.orgId);
    const ada = await person(t, org.orgId, event.id, 'Ada', 'Lovelace', 'registered', 'Analytical Engines');

    const response = await staff.get(`/admin/o/${org.orgId}/events/${event.id}/participants/${ada.id}/badge.pdf`);
    const pages = await pdf(response);
    assert.equal(pages.length, 1);
    assert.match(pages[0]!.text, /Ada Lovelace Analytical Engines/);
    assert.ok(Math.abs(pages[0]!.width - 105 * MM) < 1 && Math.abs(pages[0]!.height - 148 * MM) < 1, 'A6 portrait');
    assert.match(String(response.headers['content-disposition']), /^attachment; filename="[a-z0-9-]+-badge-[0-9a-z]{26}\.pdf"$/);

    const entries = await audits(t, ada.id);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.actor_id, staffId);
    assert.equal(entries[0]!.data['count'], 1);

    const page = await staff.get(`/admin/o/${org.orgId}/events/${event.id}/participants/${ada.id}`);
    assert.match(page.body, /data-testid="badge-pdf"/);
  });

  test('only registered participants get a badge: others are refused one by one and skipped in bulk', async () => {
    const event = await seedEvent(t, org.orgId);
    const base = `/admin/o/${org.orgId}/events/${event.id}`;
    const grace = await person(t, org.orgId, event.id, 'Grace', 'Hopper', 'registered');
    const statuses = ['imported', 'invited', 'declined', 'cancelled'] as const;
    const others = await Promise.all(statuses.map((status) => person(t, org.orgId, event.id, 'Other', status, status)));
    for (const other of others) {
      const refused = await staff.get(`${base}/participants/${other.id}/badge.pdf`);
      assert.equal(refused.statusCode, 409, other.status);
      assert.match(refused.body, /Only registered participants get a badge/);
    }
    const page = await staff.get(`${base}/participants/${others[0]!.id}`);
    assert.doesNotMatch(page.body, /data-testid="badge-pdf"/);

    const bulk = await staff.get(`${base}/badges.pdf`);
    const pages = await pdf(bulk);
    assert.deepEqual(pages.map((p) => p.text.split(' ').slice(0, 2).join(' ')), ['Grace Hopper']);
    assert.equal(bulk.headers['x-badge-count'], '1');
    assert.equal(bulk.headers['x-badges-skipped'], '4');
    const [entry] = await audits(t, event.id);
    assert.deepEqual([entry!.data['count'], entry!.data['skipped']], [1, 4]);

    const none = await staff.get(`${base}/badges.pdf?status=invited`);
    assert.equal(none.statusCode, 409);
    assert.match(none.body, /No registered participant matches this list/);
    assert.ok(grace);
  });

  test('bulk badges follow the participant list filters, one page per badge, across database pages', async () => {
    const event = await seedEvent(t, org.orgId);
    const people = Array.from({ length: 430 }, (_, i) => ({
      email: canonicalEmail(`guest${String(i).padStart(3, '0')}@example.org`)!,
      firstName: `First${String(i).padStart(3, '0')}`,
      lastName: 'Guest',
      status: i % 10 === 9 ? ('invited' as const) : ('registered' as const),
      fields: { company: `Company ${i}`, role: i % 2 === 0 ? 'Speaker' : 'Guest' },
    }));
    await t.db.transaction().execute((trx) => upsertParticipants(trx, t.ctx, cli, org.orgId, event.id, people, { existing: 'fail', defaultStatus: 'imported' }));
    const base = `/admin/o/${org.orgId}/events/${event.id}`;

    const all = await pdf(await staff.get(`${base}/badges.pdf`));
    const expected = people.filter((p) => p.status === 'registered').map((p) => p.firstName);
    assert.equal(all.length, expected.length);
    assert.deepEqual(
      all.map((p) => p.text.split(' ')[0]),
      expected,
      'each registered participant once, in the list order (by name), over the 200-row pages',
    );

    const speakers = await pdf(await staff.get(`${base}/badges.pdf?f=role:Speaker&q=First1`));
    const wanted = people.filter((p, i) => p.status === 'registered' && i % 2 === 0 && p.firstName.startsWith('First1'));
    assert.deepEqual(
      speakers.map((p) => p.text),
      wanted.map((p) => `${p.firstName} Guest ${p.fields.company}`),
    );

    const listPage = await staff.get(`${base}/participants?f=role:Speaker&q=First1`);
    assert.match(listPage.body, new RegExp(`href="${base}/badges\\?q=First1&amp;f=role%3ASpeaker"`));
    const badgesPage = await staff.get(`${base}/badges?q=First1&f=role%3ASpeaker`);
    assert.match(badgesPage.body, new RegExp(`data-testid="printable-count">${wanted.length}<`));
  });

  test('a layout chosen in the editor sets the label size, the printed fields and their order; the sample PDF is not a download of anyone', async () => {
    const event = await seedEvent(t, org.orgId);
    const base = `/admin/o/${org.orgId}/events/${event.id}`;
    const linus = await person(t, org.orgId, event.id, 'Linus', 'Torvalds', 'registered', 'Kernel Org');
    const form = {
      name: 'Speaker labels',
      page_size: 'label_100x70mm',
      qr_size: 'small',
      qr_position: 'right',
      order_0: '2',
      source_0: 'full_name',
      size_0: '18',
      bold_0: 'on',
      order_1: '1',
      source_1: 'field:company',
      size_1: '12',
      order_2: '3',
      source_2: '',
      size_2: '14',
    };
    const sample = await staff.post(`${base}/badges/sample`, form);
    const samplePages = await pdf(sample);
    assert.deepEqual(samplePages.map((p) => p.text), ['Analytical Engines Ltd Ada Lovelace']);
    assert.equal((await audits(t, event.id)).length, 0);

    const created = await staff.post(`${base}/badges`, form);
    assert.equal(created.statusCode, 303);
    const layoutId = /\/badges\/([0-9a-z]{26})\?done=created$/.exec(String(created.headers.location))![1]!;
    const pages = await pdf(await staff.get(`${base}/participants/${linus.id}/badge.pdf?layout=${layoutId}`));
    assert.deepEqual(pages.map((p) => p.text), ['Kernel Org Linus Torvalds']);
    assert.ok(Math.abs(pages[0]!.width - 100 * MM) < 1 && Math.abs(pages[0]!.height - 70 * MM) < 1, '100 x 70 mm label');

    // The first layout of the event becomes the default for downloads without ?layout.
    const byDefault = await pdf(await staff.get(`${base}/participants/${linus.id}/badge.pdf`));
    assert.equal(byDefault[0]!.text, 'Kernel Org Linus Torvalds');

    const edited = await staff.post(`${base}/badges/${layoutId}`, { ...form, page_size: 'label_4x3in', order_1: '9' });
    assert.equal(edited.statusCode, 303);
    const after = await pdf(await staff.get(`${base}/participants/${linus.id}/badge.pdf?layout=${layoutId}`));
    assert.equal(after[0]!.text, 'Linus Torvalds Kernel Org');
    assert.ok(Math.abs(after[0]!.width - 288) < 1 && Math.abs(after[0]!.height - 216) < 1, '4 x 3 in label');

    // With a second layout, the participant page asks which one (a GET form, no JavaScript).
    assert.match((await staff.get(`${base}/participants/${linus.id}`)).body, /<a class="button secondary" href="[^"]+\/badge\.pdf" data-testid="badge-pdf">/);
    const second = await staff.post(`${base}/badges`, { ...form, name: 'Plain A6', page_size: 'a6' });
    const secondId = /\/badges\/([0-9a-z]{26})\?/.exec(String(second.headers.location))![1]!;
    const page = (await staff.get(`${base}/participants/${linus.id}`)).body;
    assert.match(page, new RegExp(`<form method="get" action="${base}/participants/${linus.id}/badge.pdf" class="inline"><select name="layout"`));
    assert.match(page, new RegExp(`<option value="${layoutId}">Speaker labels</option><option value="${secondId}">Plain A6</option>`));
    const chosen = await pdf(await staff.get(`${base}/participants/${linus.id}/badge.pdf?layout=${secondId}`));
    assert.ok(Math.abs(chosen[0]!.width - 105 * MM) < 1, 'the chosen layout (A6)');
  });

  test('the editor refuses a bad layout and shows what was typed next to the problem', async () => {
    const event = await seedEvent(t, org.orgId);
    const base = `/admin/o/${org.orgId}/events/${event.id}`;
    const tooBig = await staff.post(`${base}/badges`, { name: 'Huge', page_size: 'a6', qr_size: 'large', qr_position: 'bottom', order_0: '1', source_0: 'first_name', size_0: '300' });
    assert.equal(tooBig.statusCode, 400);
    assert.match(tooBig.body, /<span class="field-error" id="err-size_0">Font sizes go from 6 to 72 points<\/span>/);
    assert.match(tooBig.body, /value="Huge"/);

    const unknown = await staff.post(`${base}/badges`, { name: 'Odd', page_size: 'a6', qr_size: 'large', qr_position: 'bottom', order_3: '1', source_3: 'field:salary', size_3: '12' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /id="err-source_3">This field does not exist in the event/);

    const empty = await staff.post(`${base}/badges/sample`, { name: 'Empty', page_size: 'a6', qr_size: 'large', qr_position: 'bottom' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Print at least one field/);

    const ok = { name: 'Same', page_size: 'a6', qr_size: 'medium', qr_position: 'bottom', order_0: '1', source_0: 'last_name', size_0: '20' };
    assert.equal((await staff.post(`${base}/badges`, ok)).statusCode, 303);
    const clash = await staff.post(`${base}/badges`, { ...ok, name: 'same' });
    assert.equal(clash.statusCode, 400);
    assert.match(clash.body, /Another layout of this event has this name/);
  });

  test("people outside the organisation get 404 and scanners cannot download badges or edit layouts", async () => {
    const event = await seedEvent(t, org.orgId);
    const base = `/admin/o/${org.orgId}/events/${event.id}`;
    const ada = await person(t, org.orgId, event.id, 'Ada', 'Lovelace', 'registered');
    const created = await staff.post(`${base}/badges`, { name: 'L', page_size: 'a6', qr_size: 'large', qr_position: 'bottom', order_0: '1', source_0: 'first_name', size_0: '20' });
    const layoutPath = String(created.headers.location).replace(/\?.*$/, '');

    const other = await seedOrganisation(t, 'Rival Events');
    const outsider = await signedIn(t, other.ownerEmail);
    const scanner = await signedIn(t, (await seedStaff(t, org.orgId, 'scanner')).email);
    const urls = [`${base}/participants/${ada.id}/badge.pdf`, `${base}/badges.pdf`, `${base}/badges`, `${base}/badges/new`, layoutPath];
    for (const url of urls) {
      assert.equal((await outsider.get(url)).statusCode, 404, `outsider ${url}`);
      assert.equal((await scanner.get(url)).statusCode, 403, `scanner ${url}`);
    }
    const form = { name: 'X', page_size: 'a6', qr_size: 'large', qr_position: 'bottom', order_0: '1', source_0: 'first_name', size_0: '20' };
    for (const url of [`${base}/badges`, `${base}/badges/sample`, layoutPath, `${layoutPath}/delete`]) {
      const body = url.endsWith('/delete') ? {} : form;
      assert.equal((await outsider.post(url, body)).statusCode, 404, `outsider POST ${url}`);
      assert.equal((await scanner.post(url, body)).statusCode, 403, `scanner POST ${url}`);
    }
    assert.equal((await staff.get(layoutPath)).statusCode, 200, 'the layout is still there');
    // Another event's participant through this event's URL: missing, not another badge.
    const elsewhere = await seedEvent(t, org.orgId);
    const stranger = await person(t, org.orgId, elsewhere.id, 'Alan', 'Turing', 'registered');
    assert.equal((await staff.get(`${base}/participants/${stranger.id}/badge.pdf`)).statusCode, 404);
    assert.equal((await audits(t, ada.id)).length, 0);
    assert.equal((await audits(t, event.id)).length, 0);
  });
});
