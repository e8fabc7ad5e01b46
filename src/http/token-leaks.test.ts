import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { apiClient } from '../../test/helpers/api.js';
import { Session } from '../../test/helpers/browser-session.js';
import { seedOrganisation, signedIn, type Org } from '../../test/helpers/fixtures.js';
import { redactUrl } from '../app.js';
import { systemActor } from '../lib/context.js';
import { findTokens } from '../lib/tokens.js';
import { expiryFor, mintCredential, type CredentialPurpose, type Minted } from '../modules/credentials/index.js';
import { createCustomField } from '../modules/custom-fields/index.js';
import { createEvent, type Event } from '../modules/events/index.js';
import { createParticipant, type Participant } from '../modules/participants/index.js';

/** The random part of a token: what must not appear, whatever surrounds it. */
const secretPart = (token: string) => token.slice(-39, -7);

describe('personal links never leak into logs, exports or API answers', () => {
  let t: TestApp;
  let logs = '';
  let org: Org;
  let event: Event;
  let ada: Participant;
  const minted: Minted[] = [];

  async function mint(purpose: CredentialPurpose): Promise<Minted> {
    const result = await mintCredential(t.db, t.ctx, {
      purpose,
      orgId: org.orgId,
      eventId: event.id,
      subject: { type: 'participant', id: ada.id, email: ada.email },
      expiresAt: expiryFor({ purpose, now: t.clock.now(), event }),
      singleUse: false,
    });
    minted.push(result);
    return result;
  }

  function assertNoToken(text: string, where: string): void {
    assert.deepEqual(findTokens(text), [], `${where}: no well-formed token`);
    for (const { token } of minted) {
      assert.equal(text.toLowerCase().includes(secretPart(token)), false, `${where}: no random part of ${token.slice(0, 9)}…`);
    }
  }

  before(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    t = await createTestApp({ logStream: stream });
    org = await seedOrganisation(t);
    event = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: 'Leak Summit', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'UTC' });
    await createCustomField(t.db, t.ctx, systemActor, org.orgId, event.id, { key: 'notes', label: 'Notes', type: 'text' });
    ada = await createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' });
    await Promise.all([mint('webapp'), mint('form'), mint('rsvp')]);
  });
  after(() => t.close());

  test('request logs of GET, HEAD and POST on /l/<token> (intact, mangled or percent-encoded) hold no token', async () => {
    const [app] = minted;
    const token = app!.token;
    const browser = new Session(t.app);
    assert.equal((await browser.get(`/l/${token}`)).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'HEAD', url: `/l/${token}` })).statusCode, 200);
    assert.equal((await browser.post(`/l/${token}`, {})).statusCode, 303);
    await browser.post(`/l/${token}/renew`, {});
    // What mail clients and people do to links: cut them, upper-case them, encode them, add tracking.
    for (const url of [`/l/${token.slice(0, -3)}`, `/l/${token.toUpperCase()}`, `/l/${token.replace(/_/g, '%5F')}`, `/l/${token}?utm_source=mail`, `/l/${token}%20`]) {
      const response = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      assert.ok(response.statusCode < 500, `${url} -> ${response.statusCode}`);
    }
    assert.match(logs, /"url":"\/l\/\[redacted\]"/);
    assert.match(logs, /"url":"\/l\/\[redacted\]\/renew"/);
    assert.match(logs, /"url":"\/l\/\[redacted\]\?utm_source=mail"/);
    assertNoToken(logs, 'logs');
  });

  test('the URL redaction covers tokens anywhere in a URL, not only after /l/', () => {
    const token = minted[1]!.token;
    assert.equal(redactUrl(`/l/${token}`), '/l/[redacted]');
    assert.equal(redactUrl(`/setup/${token}?x=1`), '/setup/tsr_[redacted]?x=1');
    assert.equal(redactUrl(`/verify/${token.toUpperCase()}`), '/verify/tsr_[redacted]');
    assert.equal(redactUrl(`/x?next=${encodeURIComponent(`https://tessera.test/l/${token}`)}`).includes(secretPart(token)), false);
    assert.equal(redactUrl(`/x/tsr%5Fapp%5F${secretPart(token)}`), '/x/tsr_[redacted]');
    assert.equal(redactUrl('/shop/acme/main/sso/01abc/callback?code=abc123&state=xyz&iss=https%3A%2F%2Fidp'), '/shop/acme/main/sso/01abc/callback?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fidp', 'an SSO callback keeps its code and state out of the log');
    assert.equal(redactUrl('/admin/o/01abc/events'), '/admin/o/01abc/events', 'other URLs untouched');
  });

  test('the CSV export of a participant with live links holds no token, even one pasted into a field', async () => {
    const pasted = minted[2]!.token;
    const owner = await signedIn(t, org.ownerEmail);
    await owner.post(`/admin/o/${org.orgId}/events/${event.id}/participants/${ada.id}/edit`, {
      email: ada.email,
      first_name: 'Ada',
      last_name: 'Lovelace',
      status: 'registered',
      'cf.notes': `her link: https://tessera.test/l/${pasted} (do not share)`,
    });
    const stored = await t.db.selectFrom('participants').select('field_values').where('id', '=', ada.id).executeTakeFirstOrThrow();
    assert.ok(stored.field_values.includes(pasted), 'the pasted link was saved as typed');
    const csv = await owner.get(`/admin/o/${org.orgId}/events/${event.id}/participants.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /ada@example.org/);
    assert.match(csv.body, /her link: https:\/\/tessera.test\/l\/tsr_\[redacted\] \(do not share\)/);
    assertNoToken(csv.body, 'CSV export');
  });

  test('the API answers a participant without any token, even one pasted into a field', async () => {
    const api = await apiClient(t, org.orgId);
    const one = await api.get(`/events/${event.id}/participants/${ada.id}`);
    assert.equal(one.statusCode, 200);
    assert.match(one.json().fields.notes, /tsr_\[redacted\]/);
    assertNoToken(one.body, 'API participant');
    const list = await api.get(`/events/${event.id}/participants`);
    assertNoToken(list.body, 'API list');
    const links = await api.get(`/events/${event.id}/participants/${ada.id}/links`);
    assert.equal(links.json().data.length, minted.length);
    assertNoToken(links.body, 'API links');
    assertNoToken(logs, 'logs after all of it');
  });
});
