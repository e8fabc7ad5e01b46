import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { createCustomField } from '../../modules/custom-fields/index.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import { getImport, type ImportReport } from '../../modules/imports/index.js';
import { createParticipant, listParticipants, type Participant } from '../../modules/participants/index.js';

const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };

async function seedEvent(t: TestApp, orgId: string, name = 'Summit'): Promise<Event> {
  const event = await createEvent(t.db, t.ctx, cli, orgId, {
    name: `${name} ${Math.random().toString(36).slice(2, 8)}`,
    startsAt: '2026-09-01T08:00:00Z',
    endsAt: '2026-09-02T18:00:00Z',
    timeZone: 'Europe/Paris',
  });
  await createCustomField(t.db, t.ctx, cli, orgId, event.id, { key: 'company', label: 'Company', type: 'text' });
  await createCustomField(t.db, t.ctx, cli, orgId, event.id, { key: 'diet', label: 'Diet', type: 'single_choice', options: ['none', 'vegan'] });
  await createCustomField(t.db, t.ctx, cli, orgId, event.id, { key: 'arrival', label: 'Arrival date', type: 'date' });
  return event;
}

function importPath(org: Org, event: Event): string {
  return `/admin/o/${org.orgId}/events/${event.id}/import`;
}

/** A multipart upload as a browser sends it; the CSRF token goes in the query string. */
async function upload(t: TestApp, session: Session, path: string, content: string | Buffer, options: { csrf?: boolean; name?: string } = {}) {
  const form = new FormData();
  form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type: 'text/csv' }), options.name ?? 'people.csv');
  const request = new Response(form);
  const payload = Buffer.from(await request.arrayBuffer());
  const query = options.csrf === false ? '' : `?_csrf=${encodeURIComponent(await session.csrf())}`;
  return t.app.inject({
    method: 'POST',
    url: `${path}${query}`,
    headers: { accept: 'text/html', cookie: session.cookieHeader(), 'content-type': request.headers.get('content-type')! },
    payload,
  });
}

async function uploaded(t: TestApp, session: Session, path: string, content: string | Buffer): Promise<string> {
  const response = await upload(t, session, path, content);
  assert.equal(response.statusCode, 303, response.body);
  const location = String(response.headers.location);
  assert.match(location, new RegExp(`^${path}/[0-9a-z]{26}$`));
  return location;
}

async function check(session: Session, importUrl: string, columns: string[], policy: 'update' | 'skip' = 'skip') {
  const response = await session.post(`${importUrl}/check`, { column: columns, policy });
  assert.equal(response.statusCode, 303, response.body);
  return response;
}

async function reportOf(t: TestApp, org: Org, event: Event, importUrl: string): Promise<ImportReport> {
  const imp = await getImport(t.db, org.orgId, event.id, importUrl.split('/').pop()!);
  assert.ok(imp.report);
  return imp.report;
}

async function participantsOf(t: TestApp, org: Org, event: Event): Promise<Participant[]> {
  return (await listParticipants(t.db, t.dialect, org.orgId, event.id, { sort: 'email', limit: 500 })).items;
}

const COLUMNS = ['email', 'first_name', 'last_name', 'field:company', 'field:diet', 'field:arrival'];

describe('CSV import', () => {
  let t: TestApp;
  let org: Org;
  let session: Session;
  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    const staff = await seedStaff(t, org.orgId, 'staff');
    session = await signedIn(t, staff.email);
  });
  after(() => t.close());

  test('the mapping page shows the headers, the first rows and a guess for each column', async () => {
    const event = await seedEvent(t, org.orgId);
    const csv = 'E-mail,Prénom,Nom,Company,Régime,Notes\n' + Array.from({ length: 8 }, (_, i) => `p${i}@example.org,P${i},Q${i},Co ${i},vegan,n${i}\n`).join('');
    const url = await uploaded(t, session, importPath(org, event), csv);
    const page = await session.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /6 columns separated by commas/);
    assert.ok(page.body.includes('p4@example.org') && !page.body.includes('p5@example.org'), 'the first 5 rows only');
    const selected = [...page.body.matchAll(/<option value="([^"]+)" selected/g)].map((m) => m[1]);
    assert.deepEqual(selected, ['email', 'first_name', 'last_name', 'field:company', 'ignore', 'ignore']);
  });

  test('a dry run reports each bad row with its line number and reason', async () => {
    const event = await seedEvent(t, org.orgId);
    const csv = [
      'email,first_name,last_name,company,diet,arrival',
      'ada@example.org,Ada,Lovelace,"Analytical\nEngines",vegan,2026-09-01', // lines 2-3
      ',No,Email,,,', // 4
      'not-an-email,Bad,Email,,,', // 5
      'ADA@Example.org,Ada,Again,,,', // 6: same person as line 2
      'bob@example.org,Bob,Choice,,carnivore,', // 7
      'cy@example.org,Cy,Date,,,2026-02-30', // 8
      `dee@example.org,${'D'.repeat(101)},Long,,,`, // 9
      'eve@example.org,Eve,Fine,,none,', // 10
    ].join('\n');
    const url = await uploaded(t, session, importPath(org, event), csv);
    await check(session, url, COLUMNS);
    const report = await reportOf(t, org, event, url);
    assert.deepEqual({ rows: report.rows, valid: report.valid, invalid: report.invalid }, { rows: 8, valid: 2, invalid: 6 });
    const byLine = new Map(report.errors.map((e) => [e.line, e.reasons.join(' | ')]));
    assert.deepEqual([...byLine.keys()], [4, 5, 6, 7, 8, 9]);
    assert.match(byLine.get(4)!, /Email is missing/);
    assert.match(byLine.get(5)!, /Invalid email "not-an-email"/);
    assert.match(byLine.get(6)!, /Duplicate email: the same address is already on line 2/);
    assert.match(byLine.get(7)!, /Diet: unknown choice "carnivore"/);
    assert.match(byLine.get(8)!, /Arrival date: wrong date "2026-02-30"/);
    assert.match(byLine.get(9)!, /First name is too long \(at most 100 characters\)/);
    // The page lists them too, and nothing was written.
    const page = await session.get(url);
    assert.match(page.body, /<td>7<\/td><td>bob@example.org<\/td><td>Diet: unknown choice &quot;carnivore&quot;<\/td>/);
    assert.match(page.body, /Import 2 rows/);
    assert.equal((await participantsOf(t, org, event)).length, 0);
  });

  test('import writes the valid rows as \'imported\' and skips the bad ones', async () => {
    const event = await seedEvent(t, org.orgId);
    const csv = 'email,first_name,last_name,company,diet,arrival\nann@example.org,Ann,Ant,Acme,vegan,2026-09-01\nbad,Bad,Row,,,\nben@example.org,Ben,Bee,,,\n';
    const url = await uploaded(t, session, importPath(org, event), csv);
    await check(session, url, COLUMNS);
    const run = await session.post(`${url}/run`, {});
    assert.equal(run.statusCode, 303);
    assert.equal(run.headers.location, `${url}?done=imported#report`);
    const people = await participantsOf(t, org, event);
    assert.deepEqual(
      people.map((p) => [p.email, p.firstName, p.status, p.fields]),
      [
        ['ann@example.org', 'Ann', 'imported', { company: 'Acme', diet: 'vegan', arrival: '2026-09-01' }],
        ['ben@example.org', 'Ben', 'imported', {}],
      ],
    );
    const report = await reportOf(t, org, event, url);
    assert.deepEqual([report.kind, report.created, report.invalid], ['import', 2, 1]);
    const audit = await t.db.selectFrom('audit_log').select('data').where('action', '=', 'import.completed').where('target_id', '=', url.split('/').pop()!).executeTakeFirst();
    assert.ok(audit);
    assert.equal((JSON.parse(audit.data) as { created: number }).created, 2);
    assert.equal(existsSync(join(t.dataDir, 'imports', `${url.split('/').pop()}.csv`)), false, 'the uploaded file is deleted');
    assert.equal((await session.post(`${url}/run`, {})).statusCode, 409, 'a second run imports nothing');
    assert.equal((await participantsOf(t, org, event)).length, 2);
  });

  test('a failure during import leaves nothing imported', async () => {
    const event = await seedEvent(t, org.orgId);
    const rows = Array.from({ length: 1500 }, (_, i) => `person${i}@example.org,P${i},Q${i},,,`);
    rows[1200] = 'boom@example.org,Boom,Row,,,';
    const url = await uploaded(t, session, importPath(org, event), `email,first_name,last_name,company,diet,arrival\n${rows.join('\n')}\n`);
    await check(session, url, COLUMNS);
    // The database refuses row 1,201, after the first batch of 1,000 was written in the transaction.
    if (t.dialect === 'sqlite') {
      await sql`create trigger boom before insert on participants when new.email = 'boom@example.org' begin select raise(abort, 'forced failure'); end`.execute(t.db);
    } else {
      await sql`create function boom() returns trigger language plpgsql as $$ begin if new.email = 'boom@example.org' then raise exception 'forced failure'; end if; return new; end $$`.execute(t.db);
      await sql`create trigger boom before insert on participants for each row execute function boom()`.execute(t.db);
    }
    try {
      const run = await session.post(`${url}/run`, {});
      assert.equal(run.statusCode, 500);
      assert.match(run.body, /nothing was imported/);
      assert.equal((await participantsOf(t, org, event)).length, 0);
      const contacts = await t.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('email', 'like', 'person%').executeTakeFirstOrThrow();
      assert.equal(Number(contacts.n), 0, 'no contact created either');
      const imp = await getImport(t.db, org.orgId, event.id, url.split('/').pop()!);
      assert.equal(imp.status, 'failed');
      assert.equal(imp.hasFile, true, 'the file is kept to try again');
    } finally {
      await sql`drop trigger boom${sql.raw(t.dialect === 'postgres' ? ' on participants' : '')}`.execute(t.db);
    }
    await check(session, url, COLUMNS);
    assert.equal((await session.post(`${url}/run`, {})).statusCode, 303, 'once the cause is gone, the import can run again');
    assert.equal((await listParticipants(t.db, t.dialect, org.orgId, event.id, { limit: 1 })).total, 1500);
  });

  test('update policy updates existing participants; skip policy leaves them', async () => {
    const event = await seedEvent(t, org.orgId);
    const input = { email: 'kim@example.org', firstName: 'Kim', lastName: 'Old', fields: { company: 'Old Co', diet: 'none' } };
    const kim = await createParticipant(t.db, t.ctx, cli, org.orgId, event.id, input);
    const csv = 'email,first_name,last_name,company,diet,arrival\nKIM@example.org,Kim,New,New Co,,\nlee@example.org,Lee,Fresh,,,\n';

    const skipUrl = await uploaded(t, session, importPath(org, event), csv);
    await check(session, skipUrl, COLUMNS, 'skip');
    assert.equal((await reportOf(t, org, event, skipUrl)).existing, 1, 'the dry run says who is already there');
    await session.post(`${skipUrl}/run`, {});
    let people = await participantsOf(t, org, event);
    assert.deepEqual(people.find((p) => p.id === kim.id), kim, 'skip leaves the participant exactly as it was');
    assert.equal((await reportOf(t, org, event, skipUrl)).skipped, 1);

    const updateUrl = await uploaded(t, session, importPath(org, event), csv);
    await check(session, updateUrl, COLUMNS, 'update');
    await session.post(`${updateUrl}/run`, {});
    people = await participantsOf(t, org, event);
    const updated = people.find((p) => p.id === kim.id)!;
    assert.deepEqual([updated.lastName, updated.fields], ['New', { company: 'New Co', diet: 'none' }], 'empty cells keep the current value');
    assert.equal(updated.status, 'registered', 'an update does not reset the status');
    assert.equal(people.length, 2);
    assert.equal((await reportOf(t, org, event, updateUrl)).updated, 2, 'Kim, and Lee whom the first file added');
  });

  test('BOM, semicolon separator, quoted newlines and UTF-8 names are handled', async () => {
    const event = await seedEvent(t, org.orgId);
    const csv = '\uFEFFEmail;First name;Last name;Company\r\n'
      + 'zoe@example.org;Zoë;Ørsted;"Line one\r\nline two; with ""quotes"""\r\n'
      + '\r\n'
      + 'li@example.org;李;小龙;\r\n'
      + 'lukasz@example.org;Łukasz;Żółć;Ça va\r\n'
      + 'broken;X;Y;\r\n';
    const url = await uploaded(t, session, importPath(org, event), Buffer.from(csv, 'utf8'));
    const page = await session.get(url);
    assert.match(page.body, /4 columns separated by semicolons/);
    assert.match(page.body, /<th>Email<\/th>/, 'the BOM is not part of the first header');
    await check(session, url, ['email', 'first_name', 'last_name', 'field:company']);
    const report = await reportOf(t, org, event, url);
    assert.deepEqual(report.errors.map((e) => e.line), [7], 'lines count the quoted line break and the blank line');
    await session.post(`${url}/run`, {});
    const people = await participantsOf(t, org, event);
    assert.deepEqual(
      people.map((p) => [p.firstName, p.lastName, p.fields['company'] ?? null]),
      [
        ['李', '小龙', null],
        ['Łukasz', 'Żółć', 'Ça va'],
        ['Zoë', 'Ørsted', 'Line one\r\nline two; with "quotes"'],
      ],
    );
  });

  test('a file that is not valid CSV is reported with its line, and cannot be imported', async () => {
    const event = await seedEvent(t, org.orgId);
    const url = await uploaded(t, session, importPath(org, event), 'email,first_name\na@example.org,A\nb@example.org,"B\n');
    const page = await session.get(url);
    assert.equal(page.statusCode, 422);
    assert.match(page.body, /cannot be read from line 3: a quoted value is never closed/);
    assert.equal((await session.post(`${url}/run`, {})).statusCode, 409);
  });

  test('the mapping needs exactly one email column', async () => {
    const event = await seedEvent(t, org.orgId);
    const url = await uploaded(t, session, importPath(org, event), 'a,b\nx@example.org,y\n');
    const response = await session.post(`${url}/check`, { column: ['first_name', 'last_name'], policy: 'skip' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Choose the column that holds the email address/);
  });
});

describe('CSV import: limits and access', () => {
  let t: TestApp;
  let org: Org;
  let event: Event;
  let session: Session;
  before(async () => {
    t = await createTestApp({ env: { TESSERA_IMPORT_MAX_MB: '1' } });
    org = await seedOrganisation(t);
    event = await seedEvent(t, org.orgId);
    session = await signedIn(t, org.ownerEmail);
  });
  after(() => t.close());

  const stored = () => (existsSync(join(t.dataDir, 'imports')) ? readdirSync(join(t.dataDir, 'imports')) : []);
  const importCount = async () => Number((await t.db.selectFrom('imports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  test('a file over the limit gets a clear 413', async () => {
    const row = 'someone@example.org,Some,One,Company,,\n';
    const big = `email,first_name,last_name,company,diet,arrival\n${row.repeat(Math.ceil((1.1 * 1024 * 1024) / row.length))}`;
    const before = await importCount();
    const response = await upload(t, session, importPath(org, event), big);
    assert.equal(response.statusCode, 413);
    assert.match(response.body, /larger than the 1 MB import limit/);
    const json = await t.app.inject({
      method: 'GET',
      url: importPath(org, event),
      headers: { cookie: session.cookieHeader(), accept: 'text/html' },
    });
    assert.equal(json.statusCode, 200);
    assert.deepEqual(stored(), [], 'the partial file is removed');
    assert.equal(await importCount(), before);
  });

  test('without the CSRF token the upload is refused', async () => {
    const before = await importCount();
    const response = await upload(t, session, importPath(org, event), 'email\na@example.org\n', { csrf: false });
    assert.equal(response.statusCode, 403);
    assert.equal(await importCount(), before);
    assert.deepEqual(stored(), []);
  });

  test("another organisation's staff gets 404 on import and export", async () => {
    const url = await uploaded(t, session, importPath(org, event), 'email\na@example.org\n');
    const other = await seedOrganisation(t, 'Rival Events');
    const rival = await signedIn(t, other.ownerEmail);
    assert.equal((await rival.get(importPath(org, event))).statusCode, 404);
    assert.equal((await upload(t, rival, importPath(org, event), 'email\nx@example.org\n')).statusCode, 404);
    assert.equal((await rival.get(url)).statusCode, 404);
    assert.equal((await rival.get(`${url}/problems.csv`)).statusCode, 404);
    assert.equal((await rival.post(`${url}/check`, { column: ['email'], policy: 'update' })).statusCode, 404);
    assert.equal((await rival.post(`${url}/run`, {})).statusCode, 404);
    assert.equal((await rival.get(`/admin/o/${org.orgId}/events/${event.id}/participants.csv`)).statusCode, 404);
    // Their own organisation's path with our event id finds nothing either.
    assert.equal((await rival.get(`/admin/o/${other.orgId}/events/${event.id}/import`)).statusCode, 404);
    assert.equal((await rival.get(`/admin/o/${other.orgId}/events/${event.id}/participants.csv`)).statusCode, 404);
    assert.equal((await getImport(t.db, org.orgId, event.id, url.split('/').pop()!)).status, 'uploaded');
  });

  test('a scanner can neither import nor export', async () => {
    const scanner = await seedStaff(t, org.orgId, 'scanner');
    const browser = await signedIn(t, scanner.email);
    assert.equal((await browser.get(importPath(org, event))).statusCode, 403);
    assert.equal((await upload(t, browser, importPath(org, event), 'email\nx@example.org\n')).statusCode, 403);
    assert.equal((await browser.get(`/admin/o/${org.orgId}/events/${event.id}/participants.csv`)).statusCode, 403);
  });
});
