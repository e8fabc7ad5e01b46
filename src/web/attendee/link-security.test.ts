import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { mailKit, openLink, sendTemplate, tokenIn, type MailKit } from '../../../test/helpers/secure-links.js';
import { ATTENDEE_COOKIE, countRows, setCookieNamed } from '../../../test/helpers/webapp.js';
import { systemActor } from '../../lib/context.js';
import { cryptoRandom } from '../../lib/random.js';
import { hashToken, mintToken } from '../../lib/tokens.js';
import { createCustomField } from '../../modules/custom-fields/index.js';
import { createEvent, type Event } from '../../modules/events/index.js';
import { createParticipant, getParticipant, type Participant } from '../../modules/participants/index.js';

// The issue's security checks on personal links, each through the HTTP edge: what a mail
// scanner's fetch may do (nothing), what a link may open (its own purpose, its own event), what a
// bad token learns (nothing), and what 20 simultaneous clicks on a one-time link get (one session).

type Kind = 'webapp' | 'form' | 'rsvp' | 'signin' | 'preview' | 'email_change';
const KINDS: readonly Kind[] = ['webapp', 'form', 'rsvp', 'signin', 'preview', 'email_change'];

/** A personal link as its owner received it, and what pressing its button should lead to. */
interface Issued {
  token: string;
  participant: Participant;
  /** The browser of the person the link is for (for a preview: the staff member who asked). */
  holder: Session;
  lands: string;
}

const sameAnswer = (response: LightMyRequestResponse) => ({
  status: response.statusCode,
  type: response.headers['content-type'],
  body: response.body.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""'),
});

describe('personal links at the HTTP edge: scanners, cross-use, bad tokens, concurrent clicks', () => {
  let t: TestApp;
  let org: Org;
  let owner: Session;
  let mail: MailKit;
  let eventA: Event;
  let eventB: Event;
  let counter = 0;

  const event = (name: string) =>
    createEvent(t.db, t.ctx, systemActor, org.orgId, { name, startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris' });

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    owner = await signedIn(t, org.ownerEmail);
    mail = await mailKit(t);
    eventA = await event('Security Summit A');
    eventB = await event('Security Summit B');
    for (const e of [eventA, eventB]) {
      await createCustomField(t.db, t.ctx, systemActor, org.orgId, e.id, { key: 'company', label: 'Company', type: 'text' });
      const form = await owner.post(`/admin/o/${org.orgId}/events/${e.id}/forms/new`, { title: 'Contact details', field: ['company'], allow_email_change: 'on', closes_at: '' });
      assert.equal(form.statusCode, 303, form.body.slice(0, 300));
    }
  });
  after(async () => {
    await mail.close();
    await t.close();
  });

  async function person(status: Participant['status'], on: Event = eventA): Promise<Participant> {
    counter += 1;
    return createParticipant(t.db, t.ctx, systemActor, org.orgId, on.id, { email: `sec${counter}@example.org`, firstName: `Sam${counter}`, lastName: 'Vault', status, fields: { company: 'Vault Ltd' } });
  }

  async function emailed(p: Participant, tag: string): Promise<string> {
    await sendTemplate(t, p, `<p><a href="{{ ${tag} }}">open</a></p>`);
    await mail.drain();
    return tokenIn(mail.lastMailTo(p.email));
  }

  /** A link of each kind, obtained the way its owner gets it: by email, or (preview) from the staff page. */
  async function issue(kind: Kind, on: Event = eventA): Promise<Issued> {
    const holder = new Session(t.app, { ip: `198.51.100.${(counter % 200) + 1}` });
    if (kind === 'webapp') {
      const p = await person('registered', on);
      return { token: await emailed(p, 'webapp_link'), participant: p, holder, lands: `/app/${on.id}` };
    }
    if (kind === 'form') {
      const p = await person('imported', on);
      return { token: await emailed(p, 'registration_link'), participant: p, holder, lands: `/e/${on.id}/forms/register` };
    }
    if (kind === 'rsvp') {
      const p = await person('invited', on);
      return { token: await emailed(p, 'rsvp_link'), participant: p, holder, lands: `/e/${on.id}/rsvp` };
    }
    if (kind === 'signin') {
      const p = await person('registered', on);
      const asked = await holder.post(`/app/${on.id}/sign-in`, { email: p.email });
      assert.equal(asked.statusCode, 200, asked.body.slice(0, 300));
      await mail.drain();
      return { token: tokenIn(mail.lastMailTo(p.email)), participant: p, holder, lands: `/app/${on.id}` };
    }
    if (kind === 'preview') {
      const p = await person('registered', on);
      const started = await owner.post(`/admin/o/${org.orgId}/events/${on.id}/participants/${p.id}/preview`, {});
      assert.equal(started.statusCode, 303);
      return { token: (started.headers.location ?? '').slice(3), participant: p, holder: owner, lands: `/app/${on.id}` };
    }
    // email_change: the owner of a registration asks for a new address on the update form; the
    // confirmation link goes to that new address.
    const p = await person('registered', on);
    const form = await openLink(holder, await emailed(p, 'update_link'));
    const newEmail = `moved${counter}@example.org`;
    assert.equal((await holder.post(form, { 'cf.company': '', new_email: newEmail })).statusCode, 303);
    await mail.drain();
    return { token: tokenIn(mail.lastMailTo(newEmail)), participant: p, holder: new Session(t.app), lands: `/e/${on.id}/email-change/done` };
  }

  const stored = (token: string) =>
    t.db.selectFrom('credentials').select(['use_count', 'consumed_at', 'fetch_count']).where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();

  test('HEAD and a cookie-less GET of every kind of personal link consume nothing and start no session; the person’s click then works', async () => {
    for (const kind of KINDS) {
      const link = await issue(kind);
      const sessions = await countRows(t, 'attendee_sessions');
      const head = await t.app.inject({ method: 'HEAD', url: `/l/${link.token}`, headers: { 'user-agent': 'SafeLinks/1.0' } });
      const get = await t.app.inject({ method: 'GET', url: `/l/${link.token}`, headers: { accept: 'text/html', 'user-agent': 'SafeLinks/1.0' } });
      // A staff preview does not even exist for a request without its staff member's session.
      const status = kind === 'preview' ? 404 : 200;
      for (const [method, response] of [['HEAD', head], ['GET', get]] as const) {
        assert.equal(response.statusCode, status, `${kind} ${method}`);
        assert.ok(!String(response.headers['set-cookie'] ?? '').includes(ATTENDEE_COOKIE), `${kind} ${method}: no attendee cookie`);
      }
      assert.equal(get.headers['cache-control'], 'no-store', kind);
      assert.equal(get.headers['referrer-policy'], 'no-referrer', kind);
      const untouched = await stored(link.token);
      assert.deepEqual([untouched.use_count, untouched.consumed_at, untouched.fetch_count], [0, null, kind === 'preview' ? 0 : 2], `${kind}: fetched, not used`);
      assert.equal(await countRows(t, 'attendee_sessions'), sessions, `${kind}: no session`);
      assert.deepEqual(await getParticipant(t.db, org.orgId, eventA.id, link.participant.id), link.participant, `${kind}: the participant is unchanged`);

      const click = await link.holder.post(`/l/${link.token}`, {});
      assert.equal(click.statusCode, 303, `${kind}: the person's click works: ${click.body.slice(0, 300)}`);
      assert.equal(click.headers.location, link.lands, kind);
      assert.equal((await stored(link.token)).use_count, 1, kind);
      if (kind === 'email_change') {
        assert.match((await getParticipant(t.db, org.orgId, eventA.id, link.participant.id)).email, /^moved\d+@example\.org$/);
      } else {
        assert.ok(setCookieNamed(click, ATTENDEE_COOKIE), `${kind}: the click starts the session`);
        assert.equal((await link.holder.get(link.lands)).statusCode, 200, `${kind}: and the page opens`);
      }
    }
  });

  test('a registration link opens its form, never the web app; an app or form session of event A opens nothing of event B', async () => {
    const form = await issue('form');
    await openLink(form.holder, form.token);
    assert.equal((await form.holder.get(`/e/${eventA.id}/forms/register`)).statusCode, 200, 'the form it names');
    const app = await form.holder.get(`/app/${eventA.id}`);
    assert.equal(app.statusCode, 303);
    assert.equal(app.headers.location, `/app/${eventA.id}/sign-in`, 'a form session is not an app session');
    const edit = await form.holder.post(`/app/${eventA.id}/edit`, { first_name: 'Mallory', last_name: 'M' });
    assert.equal(edit.headers.location, `/app/${eventA.id}/sign-in`);
    assert.equal((await form.holder.get(`/e/${eventA.id}/rsvp`)).statusCode, 403, 'nor the RSVP page');
    assert.equal((await getParticipant(t.db, org.orgId, eventA.id, form.participant.id)).firstName, form.participant.firstName);

    // Event A's links (through the sessions they open) on event B's pages.
    const webapp = await issue('webapp');
    await openLink(webapp.holder, webapp.token);
    assert.equal((await webapp.holder.get(`/app/${eventA.id}`)).statusCode, 200);
    const otherApp = await webapp.holder.get(`/app/${eventB.id}`);
    assert.deepEqual([otherApp.statusCode, otherApp.headers.location], [303, `/app/${eventB.id}/sign-in`]);
    const rsvp = await issue('rsvp');
    await openLink(rsvp.holder, rsvp.token);
    const bParticipants = await t.db.selectFrom('participants').selectAll().where('event_id', '=', eventB.id).orderBy('id').execute();
    for (const holder of [form.holder, webapp.holder, rsvp.holder]) {
      const register = await holder.get(`/e/${eventB.id}/forms/register`);
      assert.deepEqual([register.statusCode, register.headers.location], [303, `/e/${eventB.id}/register`], "B's form sends to B's public page");
      assert.equal((await holder.get(`/e/${eventB.id}/forms/contact-details`)).statusCode, 403);
      assert.equal((await holder.get(`/e/${eventB.id}/rsvp`)).statusCode, 403);
      assert.equal((await holder.post(`/e/${eventB.id}/forms/contact-details`, { 'cf.company': 'Hijack' })).statusCode, 403);
      assert.equal((await holder.post(`/e/${eventB.id}/rsvp`, { answer: 'declined' })).statusCode, 403);
    }
    assert.deepEqual(await t.db.selectFrom('participants').selectAll().where('event_id', '=', eventB.id).orderBy('id').execute(), bParticipants, 'nothing of event B changed');
  });

  test('a staff preview link without its staff session is an unknown link: nothing counted, nothing used, no session', async () => {
    const preview = await issue('preview');
    const attendee = await issue('webapp');
    await openLink(attendee.holder, attendee.token);
    for (const stranger of [new Session(t.app), attendee.holder]) {
      const page = await stranger.get(`/l/${preview.token}`);
      assert.equal(page.statusCode, 404);
      assert.match(page.body, /This link cannot be used/);
      assert.ok(!page.body.includes(preview.participant.firstName), 'not even whose link it is');
      const pressed = await stranger.post(`/l/${preview.token}`, {});
      assert.equal(pressed.statusCode, 404);
      assert.equal(setCookieNamed(pressed, ATTENDEE_COOKIE), undefined);
    }
    assert.deepEqual(Object.values(await stored(preview.token)), [0, null, 0]);
    assert.equal((await attendee.holder.get(`/app/${eventA.id}`)).statusCode, 200, "the attendee's own session is untouched");
    assert.match((await attendee.holder.get(`/app/${eventA.id}`)).body, new RegExp(attendee.participant.firstName));
  });

  test('a forged, truncated, wrong-checksum or 10 kB junk token gets one generic answer on GET and POST, never a 500', async () => {
    const real = (await issue('webapp')).token;
    const lastChar = real.charAt(real.length - 1);
    const bad: Record<string, string> = {
      forged: mintToken('app', cryptoRandom),
      truncated: real.slice(0, -5),
      'wrong checksum': real.slice(0, -1) + (lastChar === 'a' ? 'b' : 'a'),
      '10 kB of junk': randomBytes(7680).toString('base64url'),
    };
    assert.equal(bad['10 kB of junk']!.length, 10_240);
    const browser = new Session(t.app, { ip: '203.0.113.9' });
    const answers: Array<[string, LightMyRequestResponse]> = [];
    for (const [name, token] of Object.entries(bad)) {
      answers.push([`GET ${name}`, await t.app.inject({ method: 'GET', url: `/l/${token}`, headers: { accept: 'text/html' } })]);
      answers.push([`POST ${name}`, await browser.post(`/l/${token}`, {})]);
    }
    const [, first] = answers[0]!;
    assert.equal(first.statusCode, 404);
    assert.match(first.body, /This link cannot be used/);
    for (const [name, response] of answers) {
      assert.ok(response.statusCode < 500, `${name}: ${response.statusCode}`);
      assert.deepEqual(sameAnswer(response), sameAnswer(first), `${name}: the same answer as a forged token`);
      assert.equal(setCookieNamed(response, ATTENDEE_COOKIE), undefined, name);
    }
    assert.deepEqual(Object.values(await stored(real)), [0, null, 0], 'the real link was never touched by its mangled copies');
  });

  test('20 concurrent clicks on one one-time sign-in link: exactly one gets a session', async () => {
    const link = await issue('signin');
    const browsers = Array.from({ length: 20 }, () => new Session(t.app, { ip: '203.0.113.20' }));
    const csrf = await Promise.all(browsers.map((b) => b.csrf()));
    const sessions = await countRows(t, 'attendee_sessions');
    const responses = await Promise.all(
      browsers.map((b, i) =>
        t.app.inject({
          method: 'POST',
          url: `/l/${link.token}`,
          remoteAddress: '203.0.113.20',
          headers: { accept: 'text/html', cookie: b.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf[i]! }).toString(),
        }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    assert.deepEqual(statuses, [303, ...Array<number>(19).fill(410)], `one redirect, 19 "already used": ${statuses.join(',')}`);
    const winners = responses.filter((r) => setCookieNamed(r, ATTENDEE_COOKIE));
    assert.equal(winners.length, 1, 'one attendee cookie');
    assert.equal(winners[0]!.statusCode, 303);
    assert.equal(winners[0]!.headers.location, `/app/${eventA.id}`);
    assert.equal(await countRows(t, 'attendee_sessions'), sessions + 1, 'one session');
    const row = await stored(link.token);
    assert.equal(row.use_count, 1);
    assert.ok(row.consumed_at);
  });
});
