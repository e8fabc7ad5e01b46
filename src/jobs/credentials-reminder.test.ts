import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeInMail, codeSignIn } from '../../test/helpers/access-codes.js';
import { createTestApp } from '../../test/helpers/app.js';
import { seedOrganisation, signedIn } from '../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp } from '../../test/helpers/outbox.js';
import { deliver } from '../../test/helpers/webapp.js';
import { systemActor } from '../lib/context.js';
import { CHOSEN_CODE_TEXT, CREDENTIALS_ACTION, setChosenCode } from '../modules/access-codes/index.js';
import { templateForAction } from '../modules/emailing/index.js';
import { createParticipant } from '../modules/participants/index.js';
import { createCampaignScheduler } from './campaign-scheduler.js';

test('credentials reminders scheduled the day before and two hours before the event send each attendee their own code, twice the same', async () => {
  const t = await createTestApp();
  const smtp = await startTestSmtp();
  try {
    const { orgId, ownerEmail } = await seedOrganisation(t);
    // The event starts 2026-09-14 09:00 in Paris (07:00 UTC).
    const { event, participants } = await seedMailing(t, orgId, [
      { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' },
      { email: 'bob@example.org', firstName: 'Bob', lastName: 'Babbage' },
      { email: 'cy@example.org', firstName: 'Cy', lastName: 'Clark' },
    ]);
    const [ada, bob, cy] = participants as [(typeof participants)[0], (typeof participants)[0], (typeof participants)[0]];
    await setChosenCode(t.db, t.ctx, systemActor, orgId, event.id, cy.id, { code: 'Meadow-Falcon-28', personalWords: [] }, 'attendee');
    await createParticipant(t.db, t.ctx, systemActor, orgId, event.id, { email: 'invited@example.org', firstName: 'In', lastName: 'Vited', status: 'invited' });
    // The ready-made credentials template every new event has, as the campaign form lists it.
    const template = await templateForAction(t.db, t.ctx, orgId, event.id, CREDENTIALS_ACTION);

    const owner = await signedIn(t, ownerEmail);
    const base = `/admin/o/${orgId}/events/${event.id}/campaigns`;
    for (const [name, at] of [
      ['Credentials: the day before', '2026-09-13T09:00'],
      ['Credentials: two hours before', '2026-09-14T07:00'],
    ] as const) {
      const created = await owner.post(base, { name, template_id: template.id, status: 'registered' });
      assert.equal(created.statusCode, 303, created.body.slice(0, 300));
      const id = /campaigns\/([0-9a-z]{26})/.exec(created.headers.location!)![1]!;
      assert.equal((await owner.post(`${base}/${id}/schedule`, { scheduled_at: at })).statusCode, 303);
    }

    const scheduler = createCampaignScheduler(t);
    const round = async (utc: string) => {
      t.clock.set(new Date(utc));
      assert.equal((await scheduler.runOnce()).started, 1, `one campaign starts at ${utc}`);
      const mails = await deliver(t, smtp);
      assert.deepEqual(mails.map((m) => m.rcptTo[0]).sort(), ['ada@example.org', 'bob@example.org', 'cy@example.org'], 'registered attendees only');
      const of = (email: string) => mails.find((m) => m.rcptTo.includes(email))!;
      assert.ok(of('cy@example.org').html.includes(CHOSEN_CODE_TEXT), 'a chosen code cannot be sent: the email says so');
      return [codeInMail(of(ada.email).html), codeInMail(of(bob.email).html)];
    };
    t.clock.set(new Date('2026-09-13T06:59:00.000Z'));
    assert.equal((await scheduler.runOnce()).started, 0, 'not before its time');
    const dayBefore = await round('2026-09-13T07:00:00.000Z');
    const twoHoursBefore = await round('2026-09-14T05:00:00.000Z');
    assert.notEqual(dayBefore[0], dayBefore[1], 'each attendee has their own code');
    assert.deepEqual(twoHoursBefore, dayBefore, 'the second reminder carries the same codes');
    assert.equal((await codeSignIn(t, event.id, ada.email, dayBefore[0]!)).statusCode, 303, "Ada's emailed code signs her in");
    assert.equal((await codeSignIn(t, event.id, bob.email, dayBefore[0]!, '203.0.113.9')).statusCode, 401, "Ada's code is not Bob's");
    const sent = await t.db.selectFrom('access_codes').select(['participant_id', 'last_sent_at']).where('participant_id', '=', bob.id).executeTakeFirstOrThrow();
    assert.equal(sent.last_sent_at, '2026-09-14T05:00:00.000Z');
  } finally {
    await smtp.close();
    await t.close();
  }
});
