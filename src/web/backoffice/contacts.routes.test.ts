import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { Session } from '../../../test/helpers/browser-session.js';
import { seedOrganisation, seedStaff, signedIn, type Org } from '../../../test/helpers/fixtures.js';
import { mailKit, type MailKit } from '../../../test/helpers/secure-links.js';
import type { ReceivedMail } from '../../../test/helpers/outbox.js';
import { systemActor } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { CUSTOMER_COOKIE } from '../../http/customer-session.js';
import { createContact, markEmailVerified } from '../../modules/contacts/index.js';
import { createCustomField } from '../../modules/custom-fields/index.js';
import { startCustomerSession } from '../../modules/customers/index.js';
import { createTemplate, type EmailTemplate } from '../../modules/emailing/index.js';
import { createEvent } from '../../modules/events/index.js';
import { createParticipant } from '../../modules/participants/index.js';
import { createPointOfSale, createSalesChannel, updatePointOfSale, type PointOfSale } from '../../modules/shop/index.js';

function verifyToken(mail: ReceivedMail): string {
  const match = /https:\/\/tessera\.test\/verify\/(tsr_[a-z]+_[a-z2-7]+)/.exec(mail.html);
  assert.ok(match?.[1], `a verification link in "${mail.subject}"`);
  return match[1];
}

/** The validation circle of a contact as rendered: 'yes' (green, tick) or 'no' (red, cross). */
function circlesOf(body: string): string[] {
  return [...body.matchAll(/data-validated="(yes|no)"/g)].map((m) => m[1]!);
}

describe('back-office contacts and email validation', () => {
  let t: TestApp;
  let org: Org;
  let mail: MailKit;
  let owner: Session;
  let staff: Session;
  let b2c: PointOfSale;
  let b2b: PointOfSale;
  let boxOffice: PointOfSale;
  let closed: PointOfSale;
  let template: EmailTemplate;
  let custom: EmailTemplate;
  let orgSlug: string;
  let base: string;
  let n = 0;
  const address = () => `person${(n += 1)}-${process.pid}@example.org`;

  before(async () => {
    t = await createTestApp();
    org = await seedOrganisation(t);
    mail = await mailKit(t);
    owner = await signedIn(t, org.ownerEmail);
    staff = await signedIn(t, (await seedStaff(t, org.orgId, 'staff')).email);
    base = `/admin/o/${org.orgId}/contacts`;
    orgSlug = (await t.db.selectFrom('organisations').select('slug').where('id', '=', org.orgId).executeTakeFirstOrThrow()).slug;
    const channel = async (name: string, kind: 'internet_b2c' | 'internet_b2b' | 'box_office') => createSalesChannel(t.db, t.ctx, systemActor, org.orgId, { name, kind });
    const web = await channel('Web', 'internet_b2c');
    b2c = await createPointOfSale(t.db, t.ctx, systemActor, org.orgId, { channelId: web.id, name: 'Main shop', slug: 'main' });
    closed = await createPointOfSale(t.db, t.ctx, systemActor, org.orgId, { channelId: web.id, name: 'Old shop', slug: 'old' });
    await updatePointOfSale(t.db, t.ctx, systemActor, org.orgId, closed.id, { name: 'Old shop', slug: 'old', state: 'closed' });
    b2b = await createPointOfSale(t.db, t.ctx, systemActor, org.orgId, { channelId: (await channel('Pro', 'internet_b2b')).id, name: 'Pro shop', slug: 'pro' });
    boxOffice = await createPointOfSale(t.db, t.ctx, systemActor, org.orgId, { channelId: (await channel('Desk', 'box_office')).id, name: 'Desk', slug: 'desk' });
    const settings = { publicUrl: t.config.publicUrl };
    template = await createTemplate(t.db, t.ctx, systemActor, org.orgId, null, { type: 'account_verification', name: 'Pro welcome', subject: 'Welcome to Acme, {{ first_name }}', html: '<p><a href="{{ verification_link }}">Confirm</a></p>' }, settings);
    custom = await createTemplate(t.db, t.ctx, systemActor, org.orgId, null, { type: 'custom', name: 'Newsletter', subject: 'News', html: '<p>News</p>' }, settings);
  });
  after(async () => {
    await mail.close();
    await t.close();
  });

  async function create(kind: 'individual' | 'structure' | 'relay', fields: Record<string, string> = {}, browser = staff) {
    const email = fields['email'] ?? address();
    const response = await browser.post(base, { kind, first_name: 'Ada', last_name: fields['last_name'] ?? 'Lovelace', email, structure_id: '', template_id: template.id, pos_id: kind === 'individual' ? b2c.id : b2b.id, ...fields });
    const id = response.statusCode === 303 ? /contacts\/([0-9A-Za-z]{26})/.exec(response.headers.location as string)?.[1] : undefined;
    return { response, email, id: id ?? '' };
  }

  async function contactRow(id: string) {
    return t.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  async function validateByLink(email: string): Promise<string> {
    await mail.drain();
    const token = verifyToken(mail.lastMailTo(email));
    const browser = new Session(t.app);
    await browser.get(`/verify/${token}`);
    const used = await browser.post(`/verify/${token}`, {});
    assert.equal(used.statusCode, 303);
    return used.headers.location as string;
  }

  test('creating a contact: the chosen document type is the email, the chosen point of sale is the shop its link opens', async () => {
    const { response, email, id } = await create('individual');
    assert.equal(response.statusCode, 303, response.body.slice(0, 500));
    await mail.drain();
    const sent = mail.lastMailTo(email);
    assert.equal(sent.subject, 'Welcome to Acme, Ada', 'the operator’s template');
    assert.match((await staff.get(`${base}/${id}`)).body, /Email not validated/);
    const landing = await validateByLink(email);
    assert.equal(landing, `/shop/${orgSlug}/main/verified`, 'the link opens the chosen point of sale');
    const page = (await staff.get(`${base}/${id}`)).body;
    assert.deepEqual(circlesOf(page).slice(0, 1), ['yes']);
    assert.match(page, /Validated on .* by the emailed link/);
  });

  test('the document type lists the organisation’s account verification templates; the point of sale lists running ones of the allowed channels', async () => {
    const individual = (await staff.get(`${base}/new?kind=individual`)).body;
    assert.match(individual, new RegExp(`value="${template.id}"`));
    assert.doesNotMatch(individual, new RegExp(`value="${custom.id}"`), 'not another type of template');
    assert.match(individual, new RegExp(`value="${b2c.id}"`));
    for (const other of [b2b, boxOffice, closed]) assert.doesNotMatch(individual, new RegExp(`value="${other.id}"`));
    const relay = (await staff.get(`${base}/new?kind=relay`)).body;
    for (const allowed of [b2c, b2b]) assert.match(relay, new RegExp(`value="${allowed.id}"`));
    for (const other of [boxOffice, closed]) assert.doesNotMatch(relay, new RegExp(`value="${other.id}"`));
  });

  test('a point of sale or a template outside the allowed lists is refused and nothing is created', async () => {
    for (const [fields, message] of [
      [{ pos_id: b2b.id }, /running points of sale offered/],
      [{ pos_id: boxOffice.id }, /running points of sale offered/],
      [{ pos_id: closed.id }, /running points of sale offered/],
      [{ template_id: custom.id }, /account verification templates/],
      [{ template_id: '' }, /account verification templates/],
    ] as const) {
      const { response, email } = await create('individual', { ...fields });
      assert.equal(response.statusCode, 400, JSON.stringify(fields));
      assert.match(response.body, message);
      assert.equal((await t.db.selectFrom('contacts').select('id').where('email', '=', email).execute()).length, 0);
    }
    const structure = await create('structure', { pos_id: boxOffice.id });
    assert.equal(structure.response.statusCode, 400, 'box office is no shop for structures either');
  });

  test('a relay belongs to a structure; the structure page lists its relays with their circles', async () => {
    const orphan = await create('relay');
    assert.equal(orphan.response.statusCode, 400);
    assert.match(orphan.response.body, /belongs to a structure/);
    const structure = await create('structure', { last_name: 'Globex Travel' });
    assert.equal(structure.response.statusCode, 303);
    const relay = await create('relay', { structure_id: structure.id, last_name: 'Relayson' });
    assert.equal(relay.response.statusCode, 303, relay.response.body.slice(0, 400));
    await mail.drain();
    assert.equal(mail.lastMailTo(relay.email).subject, 'Welcome to Acme, Ada');
    const page = (await staff.get(`${base}/${structure.id}`)).body;
    assert.match(page, /Relayson/);
    assert.match((await staff.get(`${base}/${relay.id}`)).body, /Globex Travel/);
    const notStructure = await create('individual');
    const wrong = await create('relay', { structure_id: notStructure.id });
    assert.equal(wrong.response.statusCode, 400, 'only a structure can hold a relay');
  });

  test('the list shows a circle per contact, searches, filters by kind and by validation', async () => {
    const checked = await create('individual', { last_name: 'Zebrafinch' });
    await validateByLink(checked.email);
    const unchecked = await create('individual', { last_name: 'Zebradove' });
    const list = (await staff.get(`${base}?q=zebra`)).body;
    assert.match(list, /Zebrafinch/);
    assert.match(list, /Zebradove/);
    assert.deepEqual(circlesOf(list).sort(), ['no', 'yes']);
    assert.match(list, /aria-label="Email validated"/);
    assert.match(list, /aria-label="Email not validated"/);
    const pending = (await staff.get(`${base}?q=zebra&status=unverified`)).body;
    assert.doesNotMatch(pending, /Zebrafinch/);
    assert.match(pending, /Zebradove/);
    assert.doesNotMatch((await staff.get(`${base}?q=zebra&kind=structure`)).body, /Zebradove/);
    assert.ok(unchecked.id);
  });

  test('bulk "send validation email" to contacts with a non-validated email: confirmation with the count, then one email each', async () => {
    const people = [await create('individual', { last_name: 'Bulkley' }), await create('individual', { last_name: 'Bulkley' })];
    const verified = await create('individual', { last_name: 'Bulkley' });
    await validateByLink(verified.email);
    const structure = await create('structure', { last_name: 'Bulkley Corp' });
    await mail.drain();
    const before = people.map((p) => mail.mailsTo(p.email).length);
    const list = (await staff.get(`${base}?q=bulkley&status=unverified`)).body;
    assert.match(list, /Send a validation email to these 3 contacts/);
    const confirm = await staff.get(`${base}/validation-emails?q=bulkley&kind=&template_id=${template.id}&pos_id=${b2c.id}`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /<strong>3<\/strong> contacts/);
    assert.equal(mail.mailsTo(people[0]!.email).length, before[0], 'the confirmation page sends nothing');
    const sent = await staff.post(`${base}/validation-emails`, { q: 'bulkley', kind: '', template_id: template.id, pos_id: b2c.id });
    assert.equal(sent.statusCode, 303);
    assert.match(sent.headers.location as string, /sent=3/);
    await mail.drain();
    people.forEach((p, i) => assert.equal(mail.mailsTo(p.email).length, before[i]! + 1));
    assert.equal(mail.mailsTo(verified.email).length, 1, 'validated contacts get nothing');
    const bad = await staff.post(`${base}/validation-emails`, { q: 'bulkley', kind: '', template_id: template.id, pos_id: boxOffice.id });
    assert.equal(bad.statusCode, 400);
    assert.ok(structure.id);
  });

  test('an operator’s email change: verification email with the chosen template to the new address, the customer stays signed in', async () => {
    const { id, email } = await create('individual');
    await validateByLink(email);
    const { token } = await startCustomerSession(t.db, t.ctx, { orgId: org.orgId, contactId: id, posId: b2c.id });
    const customer = new Session(t.app);
    customer.cookies.set(CUSTOMER_COOKIE, token);
    assert.equal((await customer.get(`/shop/${orgSlug}/main/account`)).statusCode, 200);
    const fresh = address();
    const refused = await staff.post(`${base}/${id}/email`, { email: fresh, template_id: template.id, pos_id: b2b.id });
    assert.equal(refused.statusCode, 400, 'a B2B shop is not offered for an individual');
    const changed = await staff.post(`${base}/${id}/email`, { email: fresh, template_id: template.id, pos_id: b2c.id });
    assert.equal(changed.statusCode, 303, changed.body.slice(0, 400));
    assert.equal((await customer.get(`/shop/${orgSlug}/main/account`)).statusCode, 200, 'the session continues');
    await mail.drain();
    assert.equal(mail.lastMailTo(fresh).subject, 'Welcome to Acme, Ada');
    const row = await contactRow(id);
    assert.equal(row.email, fresh);
    assert.equal(row.email_status, 'unverified');
  });

  test('"mark as validated" is for admins, by an operator, and audited', async () => {
    const { id } = await create('individual');
    assert.equal((await staff.post(`${base}/${id}/validate`, {})).statusCode, 403);
    assert.equal((await contactRow(id)).email_status, 'unverified');
    assert.equal((await owner.post(`${base}/${id}/validate`, {})).statusCode, 303);
    const row = await contactRow(id);
    assert.deepEqual([row.email_status, row.email_verified_via], ['verified', 'operator']);
    assert.match((await staff.get(`${base}/${id}`)).body, /by an operator/);
    const entry = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', id).where('action', '=', 'contact.email_verified').executeTakeFirstOrThrow();
    assert.equal(entry.actor_type, 'staff');
  });

  test('friends & family: connecting an unvalidated contact works, warns, and the warning’s button sends a validation email', async () => {
    const me = await create('individual');
    const friend = await create('individual', { last_name: 'Friendly' });
    const done = await staff.post(`${base}/${me.id}/connections`, { email: friend.email });
    assert.equal(done.statusCode, 303, 'never blocked by the unvalidated address');
    const page = (await staff.get(`${base}/${me.id}`)).body;
    assert.match(page, /Ada Friendly’s email is not validated/);
    assert.match(page, /Send Ada Friendly a validation email/);
    assert.match(page, /data-validated="no"[^]*Ada Friendly/, 'the connection shows its circle');
    await mail.drain();
    const before = mail.mailsTo(friend.email).length;
    const sent = await staff.post(`${base}/${friend.id}/validation-email?back=${me.id}`, { template_id: template.id, pos_id: b2c.id });
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, `${base}/${me.id}?notice=sent`);
    await mail.drain();
    assert.equal(mail.mailsTo(friend.email).length, before + 1);
    await validateByLink(friend.email);
    assert.doesNotMatch((await staff.get(`${base}/${me.id}`)).body, /email is not validated/, 'no warning once validated');
    assert.equal((await staff.post(`${base}/${me.id}/connections`, { email: friend.email })).statusCode, 409, 'connected once');
    assert.match((await staff.get(`${base}/${friend.id}`)).body, /Ada Lovelace/, 'shown from both sides');
  });

  test('merging is for admins; another organisation’s contacts are not found', async () => {
    const parent = await create('individual');
    const child = await create('individual');
    assert.equal((await staff.get(`${base}/${parent.id}/merge?child_email=${encodeURIComponent(child.email)}`)).statusCode, 403);
    assert.equal((await staff.post(`${base}/${parent.id}/merge`, { child_id: child.id, email_from: 'parent' })).statusCode, 403);
    assert.equal((await contactRow(child.id)).merged_into, null);

    const other = await seedOrganisation(t, 'Other Org');
    const stranger = await t.db.transaction().execute((trx) => createContact(trx, t.ctx, systemActor, other.orgId, { email: canonicalEmail(address())!, firstName: 'S', lastName: 'T', kind: 'individual' }));
    assert.equal((await owner.get(`${base}/${stranger.id}`)).statusCode, 404);
    assert.equal((await owner.post(`${base}/${parent.id}/merge`, { child_id: stranger.id, email_from: 'child' })).statusCode, 404);
    assert.equal((await owner.post(`${base}/${stranger.id}/validate`, {})).statusCode, 404);
    assert.equal((await owner.get(`/admin/o/${other.orgId}/contacts`)).statusCode, 404, 'not a member there');
  });

  async function mergeFixture() {
    const event = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: `Gala ${n}`, startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris' });
    await createCustomField(t.db, t.ctx, systemActor, org.orgId, event.id, { key: 'company', label: 'Company', type: 'text' });
    await createCustomField(t.db, t.ctx, systemActor, org.orgId, event.id, { key: 'diet', label: 'Diet', type: 'text' });
    const solo = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: `Solo ${n}`, startsAt: '2026-10-14T07:00:00.000Z', endsAt: '2026-10-15T16:00:00.000Z', timeZone: 'Europe/Paris' });
    const parent = await create('individual', { last_name: 'Parent' });
    const child = await create('individual', { last_name: 'Child' });
    const friend = await create('individual', { last_name: 'Shared' });
    const both = await create('individual', { last_name: 'Both' });
    await createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: parent.email, firstName: 'Ada', lastName: 'Parent', fields: { company: 'Acme' } });
    await createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: child.email, firstName: 'Ada', lastName: 'Child', fields: { company: 'Globex', diet: 'vegan' } });
    await createParticipant(t.db, t.ctx, systemActor, org.orgId, solo.id, { email: child.email, firstName: 'Ada', lastName: 'Child' });
    for (const [a, b] of [[child.id, friend.id], [parent.id, both.id], [both.id, child.id], [child.id, parent.id]] as const) {
      await t.db.insertInto('contact_connections').values({ org_id: org.orgId, contact_id: a, connected_id: b, relation: 'friends_family', created_at: new Date().toISOString() }).execute();
    }
    const provider = `sso-${parent.id}`;
    await t.db.insertInto('sso_providers').values({ id: provider, org_id: org.orgId, name: 'IdP', issuer: 'https://idp.test', client_id: 'c', client_secret_sealed: 'x', enabled: 1, created_at: new Date().toISOString() }).execute();
    await t.db.insertInto('sso_identities').values({ provider_id: provider, subject: `sub-${child.id}`, contact_id: child.id, email: child.email, created_at: new Date().toISOString() }).execute();
    return { event, solo, parent, child, friend, both };
  }

  test('merge: the parent takes the child’s address and its validation; participations, connections, SSO identities move; sessions end; the child is hidden', async () => {
    const { event, solo, parent, child, friend, both } = await mergeFixture();
    await validateByLink(child.email);
    const childValidated = await contactRow(child.id);
    const { token } = await startCustomerSession(t.db, t.ctx, { orgId: org.orgId, contactId: child.id, posId: b2c.id });
    const confirm = await owner.get(`${base}/${parent.id}/merge?child_email=${encodeURIComponent(child.email)}`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Kept \(parent\)[^]*Ada Parent[^]*Merged away \(child\)[^]*Ada Child/);
    assert.deepEqual(circlesOf(confirm.body), ['no', 'no', 'yes', 'yes'], 'both circles on the confirmation page');
    assert.equal((await contactRow(child.id)).merged_into, null, 'the confirmation page changes nothing');

    const merged = await owner.post(`${base}/${parent.id}/merge`, { child_id: child.id, email_from: 'child' });
    assert.equal(merged.statusCode, 303, merged.body.slice(0, 400));
    const after = await contactRow(parent.id);
    assert.deepEqual([after.email, after.email_status, after.email_verified_at, after.email_verified_via], [child.email, 'verified', childValidated.email_verified_at, 'link']);
    assert.equal((await contactRow(child.id)).merged_into, parent.id);

    const participations = await t.db.selectFrom('participants').selectAll().where('contact_id', 'in', [parent.id, child.id]).execute();
    assert.deepEqual(participations.map((p) => [p.event_id, p.contact_id, p.email]).sort(), [[event.id, parent.id, child.email], [solo.id, parent.id, child.email]].sort());
    const kept = participations.find((p) => p.event_id === event.id)!;
    assert.deepEqual(JSON.parse(kept.field_values), { company: 'Acme', diet: 'vegan' }, 'the parent’s values kept, its blanks filled');
    const dropped = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', parent.id).where('action', '=', 'contact.merge_participation_dropped').executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(dropped.data).fields, [['company', 'Globex'], ['diet', 'vegan']], 'the child’s values are in the audit log');
    const participantPage = (await owner.get(`/admin/o/${org.orgId}/events/${event.id}/participants/${kept.id}`)).body;
    assert.match(participantPage, new RegExp(`data-validated="yes"[^]*contacts/${parent.id}`), 'the participant page shows its contact with the circle');

    const links = await t.db.selectFrom('contact_connections').select(['contact_id', 'connected_id']).where((eb) => eb.or([eb('contact_id', 'in', [parent.id, child.id]), eb('connected_id', 'in', [parent.id, child.id])])).execute();
    const others = links.map((l) => (l.contact_id === parent.id ? l.connected_id : l.contact_id)).sort();
    assert.deepEqual(others, [both.id, friend.id].sort(), 'moved, deduplicated, no link to itself');
    const identity = await t.db.selectFrom('sso_identities').select('contact_id').where('subject', '=', `sub-${child.id}`).executeTakeFirstOrThrow();
    assert.equal(identity.contact_id, parent.id);
    assert.equal((await t.db.selectFrom('customer_sessions').select('id_hash').where('contact_id', '=', child.id).execute()).length, 0);
    const customer = new Session(t.app);
    customer.cookies.set(CUSTOMER_COOKIE, token);
    assert.notEqual((await customer.get(`/shop/${orgSlug}/main/account`)).statusCode, 200, 'the child’s session ended');

    assert.doesNotMatch((await owner.get(`${base}?q=${encodeURIComponent('Ada Child')}`)).body, new RegExp(child.id), 'hidden from lists');
    const childPage = await owner.get(`${base}/${child.id}`);
    assert.match(childPage.body, /was merged into/);
    const parentPage = (await owner.get(`${base}/${parent.id}`)).body;
    assert.match(parentPage, /Another contact merged into this one/);
    assert.match(parentPage, /Email validated/, 'the child’s history shows on the parent');
    assert.equal((await owner.post(`${base}/${parent.id}/merge`, { child_id: child.id, email_from: 'parent' })).statusCode, 404, 'a merged contact cannot be merged again');
    const audit = await t.db.selectFrom('audit_log').select('action').where('target_id', '=', parent.id).where('action', '=', 'contact.merged').execute();
    assert.equal(audit.length, 1);
  });

  test('merge keeping the parent’s address keeps the parent’s status; the child’s address is freed for a new contact', async () => {
    const parent = await create('individual');
    const child = await create('individual');
    await validateByLink(child.email);
    assert.equal((await owner.post(`${base}/${parent.id}/merge`, { child_id: child.id, email_from: 'parent' })).statusCode, 303);
    const after = await contactRow(parent.id);
    assert.deepEqual([after.email, after.email_status], [parent.email, 'unverified'], 'a validation of another address does not carry over');
    const again = await create('individual', { email: child.email });
    assert.equal(again.response.statusCode, 303, 'the merged child no longer holds its address');
  });

  test('a merge is one transaction: a failure half-way changes nothing', async () => {
    const { parent, child } = await mergeFixture();
    const failing = t.dialect === 'sqlite'
      ? [sql`create trigger merge_boom before update on sso_identities begin select raise(abort, 'boom'); end`]
      : [sql`create or replace function merge_boom() returns trigger as $$ begin raise exception 'boom'; end $$ language plpgsql`, sql`create trigger merge_boom before update on sso_identities for each row execute function merge_boom()`];
    for (const statement of failing) await statement.execute(t.db);
    try {
      const response = await owner.post(`${base}/${parent.id}/merge`, { child_id: child.id, email_from: 'child' });
      assert.equal(response.statusCode, 500);
    } finally {
      await sql`drop trigger merge_boom ${t.dialect === 'sqlite' ? sql`` : sql`on sso_identities`}`.execute(t.db);
    }
    assert.equal((await contactRow(child.id)).merged_into, null);
    assert.equal((await contactRow(child.id)).email, child.email);
    assert.equal((await contactRow(parent.id)).email, parent.email);
    assert.equal((await t.db.selectFrom('participants').select('id').where('contact_id', '=', child.id).execute()).length, 2);
    assert.equal((await t.db.selectFrom('audit_log').select('id').where('target_id', '=', parent.id).where('action', '=', 'contact.merged').execute()).length, 0);
  });

  test('a contact shown elsewhere carries its circle: the operator-validated structure on its relay’s page', async () => {
    const structure = await create('structure', { last_name: 'Initech' });
    await t.db.transaction().execute((trx) => markEmailVerified(trx, t.ctx, systemActor, org.orgId, structure.id, 'operator'));
    const relay = await create('relay', { structure_id: structure.id });
    const page = (await staff.get(`${base}/${relay.id}`)).body;
    assert.match(page, /data-validated="yes"[^]*Initech/);
  });
});
