import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import type { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing } from '../../../test/helpers/outbox.js';
import { mailKit, type MailKit } from '../../../test/helpers/secure-links.js';
import { addSponsor, addSponsorContact, sendPermalink, sponsorBrowser } from '../../../test/helpers/sponsors.js';
import { systemActor } from '../../lib/context.js';
import type { Event } from '../../modules/events/index.js';
import { createParticipant, type Participant } from '../../modules/participants/index.js';
import { leadIdOf, qrTextFor } from '../../modules/qr-codes/index.js';

let t: TestApp;
let org: Org;
let owner: Session;
let mail: MailKit;
let event: Event;
let acme: string;
let ada: Participant;
let gone: Participant;
/** A scan-only session of Acme's booth staff. */
let booth: Session;
let boothContact: string;

before(async () => {
  t = await createTestApp();
  org = await seedOrganisation(t);
  owner = await signedIn(t, org.ownerEmail);
  mail = await mailKit(t);
  event = (await seedMailing(t, org.orgId, [])).event;
  ada = await createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace', status: 'registered' });
  gone = await createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: 'gone@example.org', firstName: 'Gone', lastName: 'Away', status: 'cancelled' });
  acme = await addSponsor(owner, org.orgId, event.id, 'Acme', 'B12');
  boothContact = await addSponsorContact(t, owner, org.orgId, event.id, acme, 'Booth Staff', 'booth@acme.test', 'scanner');
  const token = await sendPermalink(mail, owner, org.orgId, event.id, acme, boothContact, 'booth@acme.test');
  const opened = await sponsorBrowser(t, token);
  booth = opened.browser;
  assert.equal(opened.location, `/sponsor/${acme}/leads`, 'booth staff land on booth scanning');
});

after(async () => {
  await mail.close();
  await t.close();
});

describe('booth scanning', () => {
  test('a scan-only link opens booth scanning and not the profile', async () => {
    assert.equal((await booth.get(`/sponsor/${acme}/leads`)).statusCode, 200);
    assert.equal((await booth.get(`/sponsor/${acme}`)).statusCode, 403);
    assert.equal((await booth.post(`/sponsor/${acme}`, { name: 'Renamed by booth staff' })).statusCode, 403);
    assert.equal((await booth.post(`/sponsor/${acme}/logo/remove`, {})).statusCode, 403);
    const row = await t.db.selectFrom('sponsors').select('name').where('id', '=', acme).executeTakeFirstOrThrow();
    assert.equal(row.name, 'Acme');
  });

  test("typing a visitor's lead id collects their card once, audited under the booth contact", async () => {
    const leadId = await leadIdOf(t.db, t.ctx, org.orgId, event.id, ada.id);
    const first = await booth.post(`/sponsor/${acme}/leads`, { leadId: leadId.toLowerCase().replace('-', '') });
    assert.equal(first.statusCode, 303, first.body.slice(0, 300));
    assert.match(first.headers.location as string, /\?got=[0-9a-z]{26}&new=1$/);
    const page = await booth.get(first.headers.location as string);
    assert.match(page.body, /Card collected/);
    assert.match(page.body, /Ada Lovelace/);
    const again = await booth.post(`/sponsor/${acme}/leads`, { leadId });
    assert.doesNotMatch(again.headers.location as string, /new=1/);
    const rows = await t.db.selectFrom('sponsor_leads').selectAll().where('sponsor_id', '=', acme).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.collected_by, boothContact);
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'sponsor.lead_collected').executeTakeFirstOrThrow();
    assert.deepEqual([entry.actor_type, entry.actor_id, entry.target_id], ['sponsor', boothContact, ada.id]);
  });

  test('the scanner script gets JSON; a QR credential, an unknown or a cancelled attendee is refused', async () => {
    const csrf = await booth.csrf();
    const post = (leadId: string) =>
      t.app.inject({ method: 'POST', url: `/sponsor/${acme}/leads`, headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf, cookie: booth.cookieHeader() }, payload: { leadId } });
    const ok = await post(await leadIdOf(t.db, t.ctx, org.orgId, event.id, ada.id));
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().created, false);
    // The check-in credential is never accepted where a lead id is expected.
    const qr = await post(await qrTextFor(t.db, t.ctx, t.ctx.keys, org.orgId, event.id, ada.id));
    assert.equal(qr.statusCode, 400);
    assert.equal((await post('ABCD-2345')).statusCode, 404);
    assert.equal((await post(await leadIdOf(t.db, t.ctx, org.orgId, event.id, gone.id))).statusCode, 404);
    const typed = await booth.post(`/sponsor/${acme}/leads`, { leadId: 'not a lead' });
    assert.equal(typed.statusCode, 400);
    assert.match(typed.body, /not a lead id/);
  });

  test('an editor scans too, and both see the cards collected at the booth', async () => {
    const editor = await addSponsorContact(t, owner, org.orgId, event.id, acme, 'Wile Coyote', 'wile@acme.test');
    const { browser, location } = await sponsorBrowser(t, await sendPermalink(mail, owner, org.orgId, event.id, acme, editor, 'wile@acme.test'));
    assert.equal(location, `/sponsor/${acme}`);
    const list = await browser.get(`/sponsor/${acme}/leads`);
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Collected at the booth \(1\)/);
    assert.match(list.body, /Ada Lovelace/);
  });
});
