import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { apiClient, createEventViaApi, type ApiClient } from '../../test/helpers/api.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';
import type { Actor } from '../lib/context.js';
import { DomainError } from '../lib/errors.js';
import { findTokens } from '../lib/tokens.js';
import { resolveAttendeeSession, startAttendeeSession } from '../modules/attendee-sessions/index.js';
import { getEvent } from '../modules/events/index.js';
import { expiryFor, inspectLink, mintCredential, redeemCredential, type CredentialPurpose } from '../modules/credentials/index.js';

const visitor: Actor = { type: 'anonymous', id: null, label: null, ip: null };

describe("a participant's personal links through the API", () => {
  let t: TestApp;
  let orgId: string;
  let api: ApiClient;
  let eventId: string;
  let adaId: string;
  let bobId: string;
  before(async () => {
    t = await createTestApp();
    orgId = (await seedOrganisation(t)).orgId;
    api = await apiClient(t, orgId);
    eventId = await createEventViaApi(api);
    adaId = (await api.post(`/events/${eventId}/participants`, { email: 'ada@example.org', first_name: 'Ada' })).json().id;
    bobId = (await api.post(`/events/${eventId}/participants`, { email: 'bob@example.org', first_name: 'Bob' })).json().id;
  });
  after(() => t.close());

  async function mint(participantId: string, purpose: CredentialPurpose = 'webapp') {
    const event = await getEvent(t.db, orgId, eventId);
    return mintCredential(t.db, t.ctx, {
      purpose,
      orgId,
      eventId,
      subject: { type: 'participant', id: participantId, email: 'someone@example.org' },
      expiresAt: expiryFor({ purpose, now: t.clock.now(), event }),
      singleUse: false,
    });
  }

  async function works(token: string, purpose: CredentialPurpose = 'webapp'): Promise<boolean> {
    try {
      await redeemCredential(t.db, t.ctx, visitor, token, { purposes: [purpose] });
      return true;
    } catch (err) {
      if (err instanceof DomainError) return false;
      throw err;
    }
  }

  const linksUrl = (participantId: string) => `/events/${eventId}/participants/${participantId}/links`;

  test('lists metadata of each link (kind, status, uses, fetches), never the link', async () => {
    const app = await mint(adaId);
    const rsvp = await mint(adaId, 'rsvp');
    await inspectLink(t.db, t.ctx, rsvp.token, { purposes: ['rsvp'] }, { userAgent: 'Scanner/9' });
    assert.ok(await works(app.token));
    const response = await api.get(linksUrl(adaId));
    assert.equal(response.statusCode, 200);
    assert.deepEqual(findTokens(response.body), []);
    for (const { token } of [app, rsvp]) assert.equal(response.body.includes(token.slice(-39, -7)), false);
    const { data } = response.json() as { data: Array<Record<string, unknown>> };
    assert.deepEqual(
      data.map((l) => [l['id'], l['purpose'], l['status'], l['use_count'], l['fetch_count'], l['fetched_only']]).sort(),
      [
        [app.credential.id, 'webapp', 'active', 1, 0, false],
        [rsvp.credential.id, 'rsvp', 'active', 0, 1, true],
      ].sort(),
    );
    const rsvpOut = data.find((l) => l['id'] === rsvp.credential.id)!;
    assert.equal(rsvpOut['last_fetch_agent'], 'Scanner/9');
    assert.deepEqual(rsvpOut['origin'], { outbox_id: null, campaign_id: null, campaign_name: null, template_name: null, preview_by: null });
    assert.deepEqual(Object.keys(rsvpOut).filter((key) => /token|hash|url/i.test(key)), [], 'no field that could hold the link');
    assert.deepEqual((await api.get(linksUrl(bobId))).json(), { data: [] });
  });

  test('revokes one link: it fails on the next use, the others keep working; repeating is harmless', async () => {
    const one = await mint(bobId);
    const other = await mint(bobId, 'form');
    const first = await api.post(`${linksUrl(bobId)}/revoke`, { id: one.credential.id }, { 'idempotency-key': 'revoke-one-1' });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(first.json(), { revoked: 1, sessions_ended: 0 });
    assert.equal(await works(one.token), false);
    assert.ok(await works(other.token, 'form'));
    const replay = await api.post(`${linksUrl(bobId)}/revoke`, { id: one.credential.id }, { 'idempotency-key': 'revoke-one-1' });
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.deepEqual((await api.post(`${linksUrl(bobId)}/revoke`, { id: one.credential.id })).json(), { revoked: 0, sessions_ended: 0 }, 'already dead');
    const listed = (await api.get(linksUrl(bobId))).json() as { data: Array<{ id: string; status: string; revoked_reason: string }> };
    assert.deepEqual(
      listed.data.filter((l) => l.id === one.credential.id).map((l) => [l.status, l.revoked_reason]),
      [['revoked', 'revoked by staff']],
    );
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'credential.revoked').where('target_id', '=', bobId).execute();
    assert.equal(audit[0]!.actor_type, 'api_key');
  });

  test('revokes all links of a participant and signs them out of the app', async () => {
    const links = await Promise.all([mint(adaId), mint(adaId, 'form')]);
    const session = await startAttendeeSession(t.db, t.ctx, { kind: 'app', orgId, eventId, participantId: adaId });
    const response = await api.post(`${linksUrl(adaId)}/revoke`, {});
    assert.equal(response.statusCode, 200);
    assert.ok(response.json().revoked >= 2);
    assert.equal(response.json().sessions_ended, 1);
    for (const { token, credential } of links) assert.equal(await works(token, credential.purpose), false);
    assert.equal(await resolveAttendeeSession(t.db, t.ctx, session.token), null);
    const listed = (await api.get(linksUrl(adaId))).json() as { data: Array<{ status: string }> };
    assert.ok(listed.data.every((l) => l.status === 'revoked'));
  });

  test("another participant's link, another organisation and bad input are refused without revoking anything", async () => {
    const bobs = await mint(bobId);
    const wrong = await api.post(`${linksUrl(adaId)}/revoke`, { id: bobs.credential.id });
    assert.equal(wrong.statusCode, 404);
    assert.equal(wrong.json().error.code, 'not_found');
    const stranger = await apiClient(t, (await seedOrganisation(t, 'Other Org')).orgId);
    assert.equal((await stranger.get(linksUrl(bobId))).statusCode, 404);
    assert.equal((await stranger.post(`${linksUrl(bobId)}/revoke`, {})).statusCode, 404);
    assert.equal((await api.post(`${linksUrl(bobId)}/revoke`, { id: 'nope' })).statusCode, 400);
    assert.equal((await api.post(`${linksUrl(bobId)}/revoke`, { id: bobs.credential.id, all: true })).statusCode, 400);
    assert.equal((await api.get(`/events/${eventId}/participants/00000000000000000000000000/links`)).statusCode, 404);
    assert.ok(await works(bobs.token));
  });

  test('the OpenAPI document describes both routes', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const list = doc.paths['/api/v1/events/{eventId}/participants/{participantId}/links'].get;
    const revoke = doc.paths['/api/v1/events/{eventId}/participants/{participantId}/links/revoke'].post;
    const link = list.responses['200'].content['application/json'].schema.properties.data.items;
    assert.deepEqual(link.properties.purpose.enum, ['webapp', 'form', 'rsvp', 'meeting', 'preview', 'signin', 'email_change', 'access_code']);
    assert.ok(link.properties.fetched_only && link.properties.origin.properties.campaign_name);
    assert.ok(revoke.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key'));
    assert.equal(revoke.requestBody.content['application/json'].schema.additionalProperties, false);
    assert.ok(revoke.responses['200'].content['application/json'].schema.properties.sessions_ended);
  });
});
