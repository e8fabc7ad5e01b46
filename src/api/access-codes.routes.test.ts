import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codeInMail } from '../../test/helpers/access-codes.js';
import { apiClient, type ApiClient } from '../../test/helpers/api.js';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { seedOrganisation, signedIn, type Org } from '../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp, type TestSmtp } from '../../test/helpers/outbox.js';
import { countRows, deliver } from '../../test/helpers/webapp.js';
import { systemActor } from '../lib/context.js';
import { recordSignIn, setChosenCode } from '../modules/access-codes/index.js';
import { createParticipant, type Participant } from '../modules/participants/index.js';

describe('API: access codes and sign-ins', () => {
  let t: TestApp;
  let org: Org;
  let api: ApiClient;
  let smtp: TestSmtp;
  let eventId: string;
  let people: Participant[];
  let n = 0;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    api = await apiClient(t, org.orgId);
    smtp = await startTestSmtp();
    const seeded = await seedMailing(t, org.orgId, [
      { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' },
      { email: 'bob@example.org', firstName: 'Bob', lastName: 'Babbage' },
      { email: 'cy@example.org', firstName: 'Cy', lastName: 'Clark' },
    ]);
    eventId = seeded.event.id;
    people = seeded.participants;
  });
  after(async () => {
    await smtp.close();
    await t.close();
  });

  const person = (status: 'registered' | 'invited') =>
    createParticipant(t.db, t.ctx, systemActor, org.orgId, eventId, { email: `api${(n += 1)}@example.org`, firstName: 'Api', lastName: `Person${n}`, status });

  test('resend sends the same code twice; the status says sent, never the code', async () => {
    const [ada] = people as [Participant];
    const url = `/events/${eventId}/participants/${ada.id}/access-code`;
    const codes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await api.post(`${url}/resend`, {});
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { codes: 1, set_code_links: 0, skipped: 0 });
      codes.push(codeInMail((await deliver(t, smtp)).find((m) => m.rcptTo.includes(ada.email))!.html));
    }
    assert.equal(codes[0], codes[1]);
    const status = await api.get(url);
    assert.equal(status.statusCode, 200);
    const body = status.json();
    assert.equal(body.registered, true);
    assert.equal(body.code_set, true);
    assert.equal(body.origin, 'generated');
    assert.equal(body.resendable, true);
    assert.equal(body.last_sent_at, t.clock.now().toISOString());
    assert.ok(!status.body.includes(codes[0]!) && !status.body.includes(codes[0]!.replaceAll('-', '')));
  });

  test('bulk resend counts credentials emails, set-code links and skipped (not registered, other events)', async () => {
    const chosen = await person('registered');
    await setChosenCode(t.db, t.ctx, systemActor, org.orgId, eventId, chosen.id, { code: 'Velvet-Canyon-64', personalWords: [] }, 'attendee');
    const invited = await person('invited');
    const other = (await seedMailing(t, org.orgId, [{ email: 'elsewhere@example.org', firstName: 'El', lastName: 'Sewhere' }])).participants[0]!;
    const before = await countRows(t, 'outbox');
    const ids = [...people.map((p) => p.id), chosen.id, invited.id, other.id];
    const response = await api.post(`/events/${eventId}/access-codes/resend`, { participant_ids: ids });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { codes: 3, set_code_links: 1, skipped: 2 });
    assert.equal((await countRows(t, 'outbox')) - before, 4);
    const chosenStatus = (await api.get(`/events/${eventId}/participants/${chosen.id}/access-code`)).json();
    assert.deepEqual([chosenStatus.origin, chosenStatus.resendable], ['attendee', false]);
    const invitedStatus = (await api.get(`/events/${eventId}/participants/${invited.id}/access-code`)).json();
    assert.deepEqual([invitedStatus.registered, invitedStatus.code_set], [false, false]);
    assert.equal((await api.post(`/events/${eventId}/access-codes/resend`, { participant_ids: [] })).statusCode, 400);
    await deliver(t, smtp);
  });

  test('without a linked credentials template, resend answers 409 template_not_linked and queues nothing', async () => {
    const seeded = await seedMailing(t, org.orgId, [{ email: 'nolink@example.org', firstName: 'No', lastName: 'Link' }]);
    const owner = await signedIn(t, org.ownerEmail);
    const unlink = await owner.post(`/admin/o/${org.orgId}/events/${seeded.event.id}/emails/actions`, { 'event:access_codes.credentials': '' });
    assert.equal(unlink.statusCode, 303);
    const before = await countRows(t, 'outbox');
    const p = seeded.participants[0]!;
    for (const [url, body] of [
      [`/events/${seeded.event.id}/participants/${p.id}/access-code/resend`, {}],
      [`/events/${seeded.event.id}/access-codes/resend`, { participant_ids: [p.id] }],
    ] as const) {
      const response = await api.post(url, body);
      assert.equal(response.statusCode, 409, url);
      assert.equal(response.json().error.code, 'template_not_linked');
    }
    assert.equal(await countRows(t, 'outbox'), before);
  });

  test('metrics count sign-ins per day by method; the never-signed-in list pages', async () => {
    const seeded = await seedMailing(t, org.orgId, [
      { email: 'm1@example.org', firstName: 'M', lastName: 'One' },
      { email: 'm2@example.org', firstName: 'M', lastName: 'Two' },
      { email: 'm3@example.org', firstName: 'M', lastName: 'Three' },
    ]);
    const ev = seeded.event.id;
    const [a, b] = seeded.participants as [Participant, Participant];
    const day1 = t.clock.now().toISOString().slice(0, 10);
    await recordSignIn(t.db, t.ctx, org.orgId, ev, a.id, 'access_code');
    await recordSignIn(t.db, t.ctx, org.orgId, ev, a.id, 'magic_link');
    t.clock.advance(86_400_000);
    const day2 = t.clock.now().toISOString().slice(0, 10);
    await recordSignIn(t.db, t.ctx, org.orgId, ev, b.id, 'signin_link');
    await recordSignIn(t.db, t.ctx, org.orgId, ev, b.id, 'access_code');
    await recordSignIn(t.db, t.ctx, org.orgId, ev, b.id, 'access_code');
    const metrics = await api.get(`/events/${ev}/sign-ins`);
    assert.equal(metrics.statusCode, 200);
    assert.deepEqual(metrics.json(), {
      days: [
        { day: day1, access_code: 1, magic_link: 1, signin_link: 0 },
        { day: day2, access_code: 2, magic_link: 0, signin_link: 1 },
      ],
      distinct_attendees: 2,
      registered: 3,
    });
    const never = await api.get(`/events/${ev}/sign-ins/never?limit=10`);
    assert.equal(never.statusCode, 200);
    assert.deepEqual(
      never.json().data.map((p: { email: string }) => p.email),
      ['m3@example.org'],
    );
    assert.equal(never.json().total, 1);
  });

  test('the OpenAPI document describes the access code routes', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const path of [
      '/api/v1/events/{eventId}/participants/{participantId}/access-code',
      '/api/v1/events/{eventId}/participants/{participantId}/access-code/resend',
      '/api/v1/events/{eventId}/access-codes/resend',
      '/api/v1/events/{eventId}/sign-ins',
      '/api/v1/events/{eventId}/sign-ins/never',
    ]) {
      assert.ok(doc.paths[path], path);
    }
    assert.ok(doc.paths['/api/v1/events/{eventId}/access-codes/resend'].post.responses['409']);
  });
});
