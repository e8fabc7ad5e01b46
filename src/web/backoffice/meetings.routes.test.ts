import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { mailKit, openLink, sendTemplate, tokenIn, type MailKit } from '../../../test/helpers/secure-links.js';
import { systemActor } from '../../lib/context.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import { createParticipant, updateParticipant, type Participant } from '../../modules/participants/index.js';

const LINK_TEMPLATE = '<p><a href="{{ availability_link }}">Give your availability</a></p>';
const FORM = {
  name: 'Partner meetings',
  first_day: '2026-09-14',
  last_day: '2026-09-15',
  day_starts: '09:00',
  day_ends: '11:00',
  slot_minutes: '30',
  closes_at: '2026-09-10T18:00',
};

describe('meeting availability', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let mail: MailKit;
  let event: Event;
  let other: Event;
  let ada: Participant;
  let bob: Participant;
  let cyd: Participant;
  let campaignA = '';
  let adaBrowser: Session;
  let adaToken = '';

  const base = () => `/admin/o/${org.orgId}/events/${event.id}/meetings`;
  const formPath = (eventId: string, campaignId: string) => `/e/${eventId}/meetings/${campaignId}`;
  const count = async (table: 'meeting_answers' | 'attendee_sessions') => Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const answersOf = async (p: Participant, campaignId: string) =>
    (await t.db.selectFrom('meeting_answers').select('slot').where('participant_id', '=', p.id).where('campaign_id', '=', campaignId).where('available', '=', 1).orderBy('slot').execute()).map((r) => r.slot);

  async function createCampaign(eventId: string, fields: Record<string, string>): Promise<string> {
    const created = await owner.post(`/admin/o/${org.orgId}/events/${eventId}/meetings/new`, fields);
    assert.equal(created.statusCode, 303, created.body.slice(0, 600));
    const id = /\/meetings\/([0-9a-z]{26})\?done=created$/.exec(created.headers.location as string)?.[1];
    assert.ok(id, String(created.headers.location));
    return id;
  }

  async function linkFor(p: Participant): Promise<string> {
    await sendTemplate(t, p, LINK_TEMPLATE);
    await mail.drain();
    return tokenIn(mail.lastMailTo(p.email));
  }

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    mail = await mailKit(t);
    event = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: 'Forum', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris' });
    other = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: 'Other forum', startsAt: '2026-10-14T07:00:00.000Z', endsAt: '2026-10-15T16:00:00.000Z', timeZone: 'UTC' });
    const person = (first: string, last: string) => createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: `${first.replace(/\W/g, '')}@example.org`.toLowerCase(), firstName: first, lastName: last, status: 'registered' });
    ada = await person('Ada', 'Lovelace');
    bob = await person('Bob', 'Babbage');
    cyd = await person('=HYPERLINK("x")', 'Cyd');
  });
  after(async () => {
    await mail.close();
    await t.close();
  });

  test('an event template using {{ availability_link }} is refused, with the reason, while the event has no open campaign', async () => {
    await assert.rejects(sendTemplate(t, ada, LINK_TEMPLATE), /availability_link \}\} links to the event's open availability campaign, and this event has none open/);
  });

  test('a campaign is defined in the event time zone; a second open one is refused', async () => {
    assert.equal((await owner.get(`${base()}/new`)).statusCode, 200);
    campaignA = await createCampaign(event.id, FORM);
    const row = await t.db.selectFrom('meeting_campaigns').selectAll().where('id', '=', campaignA).executeTakeFirstOrThrow();
    assert.equal(row.closes_at, '2026-09-10T16:00:00.000Z', '18:00 in Paris (summer time) is 16:00 UTC');
    const second = await owner.post(`${base()}/new`, { ...FORM, name: 'Another' });
    assert.equal(second.statusCode, 400);
    assert.match(second.body, /“Partner meetings” is still open: close it first/);
    const bad = await owner.post(`${base()}/new`, { ...FORM, day_ends: '09:10' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /long enough for at least one slot/);
    const scanner = await seedStaff(t, org.orgId, 'scanner');
    assert.equal((await (await signedIn(t, scanner.email)).get(`${base()}/${campaignA}`)).statusCode, 403, 'planners are staff and up');
  });

  test('opening the link records nothing; its button opens the form; answers are stored and shown to planners with the non-responders', async () => {
    adaToken = await linkFor(ada);
    const bobToken = await linkFor(bob);
    await linkFor(cyd);
    const credential = await t.db.selectFrom('credentials').select(['expires_at', 'data', 'use_count']).where('subject_id', '=', ada.id).where('purpose', '=', 'meeting').executeTakeFirstOrThrow();
    assert.equal(credential.expires_at, '2026-09-10T16:00:00.000Z', 'the link expires when answers close');
    assert.deepEqual(JSON.parse(credential.data), { campaign: campaignA });

    const sessions = await count('attendee_sessions');
    adaBrowser = new Session(t.app);
    const landing = await adaBrowser.get(`/l/${adaToken}`);
    assert.equal(landing.statusCode, 200);
    assert.match(landing.body, /Give your availability for meetings at Forum/);
    assert.equal(await count('attendee_sessions'), sessions, 'a GET opens no session');
    assert.equal(await count('meeting_answers'), 0);
    assert.equal((await t.db.selectFrom('credentials').select('use_count').where('subject_id', '=', ada.id).where('purpose', '=', 'meeting').executeTakeFirstOrThrow()).use_count, 0);

    const form = await openLink(adaBrowser, adaToken);
    assert.equal(form, formPath(event.id, campaignA));
    const page = await adaBrowser.get(form);
    assert.equal(page.statusCode, 200);
    assert.equal((page.body.match(/type="checkbox" name="slot"/g) ?? []).length, 8, '2 days x 4 half-hours');
    assert.match(page.body, /<span class="visually-hidden">Mon, 14 Sept 2026, 09:00–09:30<\/span>/);
    assert.match(page.body, /You have not answered yet/);

    const saved = await adaBrowser.post(form, { slot: ['2026-09-14T09:00', '2026-09-15T10:30'] });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 400));
    const again = await adaBrowser.get(saved.headers.location as string);
    assert.match(again.body, /Saved: the organisers see your availability/);
    assert.match(again.body, /value="2026-09-14T09:00" checked/);
    assert.doesNotMatch(again.body, /value="2026-09-14T09:30" checked/);
    assert.deepEqual(await answersOf(ada, campaignA), ['2026-09-14T09:00', '2026-09-15T10:30']);

    const bobBrowser = new Session(t.app);
    await openLink(bobBrowser, bobToken);
    assert.equal((await bobBrowser.post(form, { slot: '2026-09-14T09:00' })).statusCode, 303);
    // Ada changes her mind: the new answer replaces the old one whole.
    assert.equal((await adaBrowser.post(form, { slot: ['2026-09-14T09:00', '2026-09-14T10:00'] })).statusCode, 303);
    assert.deepEqual(await answersOf(ada, campaignA), ['2026-09-14T09:00', '2026-09-14T10:00']);

    const planners = await owner.get(`${base()}/${campaignA}`);
    assert.equal(planners.statusCode, 200);
    assert.match(planners.body, /data-testid="count-2026-09-14T09:00">2</);
    assert.match(planners.body, /data-testid="count-2026-09-14T10:00">1</);
    assert.match(planners.body, /data-testid="count-2026-09-15T10:30">0</);
    assert.match(planners.body, /Not answered yet \(1\)/);
    const pending = /data-testid="not-answered">([\s\S]*?)<\/ul>/.exec(planners.body)?.[1] ?? '';
    assert.match(pending, /Cyd/);
    assert.doesNotMatch(pending, /Ada|Bob/);

    const csv = await owner.get(`${base()}/${campaignA}/availability.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'Name,Email,Answered at (UTC),2026-09-14 09:00-09:30,2026-09-14 09:30-10:00,2026-09-14 10:00-10:30,2026-09-14 10:30-11:00,2026-09-15 09:00-09:30,2026-09-15 09:30-10:00,2026-09-15 10:00-10:30,2026-09-15 10:30-11:00');
    assert.match(csv.body, /Ada Lovelace,ada@example\.org,[^,]+,yes,no,yes,no,no,no,no,no/);
    assert.match(csv.body, /"'=HYPERLINK\(""x""\) Cyd",[^,]*,not answered/, 'formula-looking names are neutralised');
    assert.equal(lines.at(-1), 'Available,,,2,0,1,0,0,0,0,0');
  });

  test("a link's session answers its own campaign as its own participant, and nothing else", async () => {
    const form = formPath(event.id, campaignA);
    const forged = await adaBrowser.post(form, { slot: '2026-09-14T09:30', participant_id: bob.id });
    assert.equal(forged.statusCode, 400, 'whose answer it is comes from the session only');
    assert.deepEqual(await answersOf(bob, campaignA), ['2026-09-14T09:00']);
    const unknownSlot = await adaBrowser.post(form, { slot: '2026-09-14T12:00' });
    assert.equal(unknownSlot.statusCode, 400);
    assert.deepEqual(await answersOf(ada, campaignA), ['2026-09-14T09:00', '2026-09-14T10:00'], 'a refused answer changes nothing');

    const campaignB = await createCampaign(other.id, { ...FORM, name: 'Other meetings', first_day: '2026-10-14', last_day: '2026-10-14' });
    const elsewhere = formPath(other.id, campaignB);
    assert.equal((await adaBrowser.get(elsewhere)).statusCode, 403);
    assert.equal((await adaBrowser.post(elsewhere, { slot: '2026-10-14T09:00' })).statusCode, 403);
    assert.equal((await new Session(t.app).get(form)).statusCode, 403, 'no session, no form');
    assert.equal((await t.db.selectFrom('meeting_answers').select('slot').where('campaign_id', '=', campaignB).execute()).length, 0);
  });

  test("the web app offers the form to those the link was sent to, and only to them", async () => {
    const form = formPath(event.id, campaignA);
    const appSession = async (p: Participant) => {
      await sendTemplate(t, p, '<p><a href="{{ webapp_link }}">Open the app</a></p>');
      await mail.drain();
      const browser = new Session(t.app);
      assert.equal(await openLink(browser, tokenIn(mail.lastMailTo(p.email))), `/app/${event.id}`);
      return browser;
    };
    const cydApp = await appSession(cyd);
    const home = await cydApp.get(`/app/${event.id}`);
    assert.match(home.body, new RegExp(`The organisers ask when you are free for meetings: <a href="${form}">Partner meetings</a>`));
    assert.equal((await cydApp.post(form, { slot: '2026-09-15T09:00' })).statusCode, 303);
    assert.deepEqual(await answersOf(cyd, campaignA), ['2026-09-15T09:00']);

    const dan = await createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: 'dan@example.org', firstName: 'Dan', lastName: 'Never-sent', status: 'registered' });
    const danApp = await appSession(dan);
    assert.doesNotMatch((await danApp.get(`/app/${event.id}`)).body, /free for meetings/);
    assert.equal((await danApp.get(form)).statusCode, 403);
    assert.equal((await danApp.post(form, { slot: '2026-09-15T09:00' })).statusCode, 403);
    assert.deepEqual(await answersOf(dan, campaignA), []);
  });

  test('changing the hours keeps the answers for the slots still offered', async () => {
    const edited = await owner.post(`${base()}/${campaignA}/edit`, { ...FORM, day_ends: '10:30' });
    assert.equal(edited.statusCode, 303, edited.body.slice(0, 400));
    const planners = await owner.get(`${base()}/${campaignA}`);
    assert.match(planners.body, /6 slots of 30 minutes/);
    assert.match(planners.body, /data-testid="count-2026-09-14T10:00">1</);
    assert.doesNotMatch(planners.body, /count-2026-09-14T10:30/);
    const page = await adaBrowser.get(formPath(event.id, campaignA));
    assert.match(page.body, /value="2026-09-14T10:00" checked/);
    assert.equal((page.body.match(/type="checkbox" name="slot"/g) ?? []).length, 6);
  });

  test('a closed campaign refuses answers with a clear page, and its links have expired', async () => {
    const form = formPath(event.id, campaignA);
    const closed = await owner.post(`${base()}/${campaignA}/close`, {});
    assert.equal(closed.statusCode, 303);
    const refused = await adaBrowser.post(form, { slot: '2026-09-14T09:30' });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /Answers are closed/);
    assert.match(refused.body, /Answers to “Partner meetings” closed on/);
    assert.deepEqual(await answersOf(ada, campaignA), ['2026-09-14T09:00', '2026-09-14T10:00']);

    // With a new campaign open in the same event, the old campaign's link still opens only the old one.
    const campaignC = await createCampaign(event.id, { ...FORM, name: 'Second round' });
    assert.equal((await adaBrowser.get(formPath(event.id, campaignC))).statusCode, 403);

    t.clock.set('2026-09-11T00:00:00.000Z');
    const dead = await new Session(t.app).get(`/l/${adaToken}`);
    assert.equal(dead.statusCode, 410);
    assert.match(dead.body, /This availability link for Forum has expired/);
    assert.match(dead.body, new RegExp(`href="${formPath(event.id, campaignA)}"`));
    t.clock.set('2026-06-01T08:00:00.000Z');

    const before = await owner.get(`${base()}/${campaignA}`);
    assert.match(before.body, /data-testid="count-2026-09-14T09:00">2</);
    await updateParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, bob.id, { status: 'cancelled' });
    const after = await owner.get(`${base()}/${campaignA}`);
    assert.match(after.body, /data-testid="count-2026-09-14T09:00">1</, 'a cancelled participant no longer counts');
    assert.doesNotMatch(after.body, /Bob Babbage/);
  });
});
