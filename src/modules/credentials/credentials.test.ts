import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedOrganisation } from '../../../test/helpers/fixtures.js';
import { databaseAddress } from '../../../test/helpers/outbox-campaign.js';
import { connect } from '../../db/connection.js';
import { systemActor, type Actor } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { cryptoRandom, type Random } from '../../lib/random.js';
import { hashToken, tokenKind } from '../../lib/tokens.js';
import { resolveAttendeeSession, startAttendeeSession } from '../attendee-sessions/index.js';
import { createEvent, type Event } from '../events/index.js';
import { createParticipant, type Participant } from '../participants/index.js';
import {
  EMAIL_CHANGE_HOURS,
  PREVIEW_MINUTES,
  SIGNIN_MINUTES,
  WEBAPP_GRACE_DAYS,
  expiryFor,
  inspectLink,
  mintCredential,
  redeemCredential,
  revokeCredentials,
  type CredentialPurpose,
} from './index.js';

const visitor: Actor = { type: 'anonymous', id: null, label: null, ip: '198.51.100.7' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let t: TestApp;
let orgId: string;
let eventA: Event;
let eventB: Event;
let ada: Participant;
let bob: Participant;

before(async () => {
  t = await createTestApp();
  orgId = (await seedOrganisation(t)).orgId;
  const event = (name: string) =>
    createEvent(t.db, t.ctx, systemActor, orgId, { name, startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris' });
  eventA = await event('Credential Summit A');
  eventB = await event('Credential Summit B');
  ada = await createParticipant(t.db, t.ctx, systemActor, orgId, eventA.id, { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' });
  bob = await createParticipant(t.db, t.ctx, systemActor, orgId, eventA.id, { email: 'bob@example.org', firstName: 'Bob', lastName: 'Babbage' });
});
after(() => t.close());

interface MintOptions {
  purpose?: CredentialPurpose;
  participant?: Participant;
  event?: Event;
  singleUse?: boolean;
  random?: Random;
}

async function mint(options: MintOptions = {}) {
  const purpose = options.purpose ?? 'webapp';
  const event = options.event ?? eventA;
  const participant = options.participant ?? ada;
  const ctx = { ...t.ctx, random: options.random ?? cryptoRandom };
  return mintCredential(t.db, ctx, {
    purpose,
    orgId,
    eventId: event.id,
    subject: { type: 'participant', id: participant.id, email: participant.email },
    expiresAt: expiryFor({ purpose, now: t.clock.now(), event }),
    singleUse: options.singleUse ?? false,
  });
}

/** Redeems as a landing page's POST does; the refusal, when there is one, is its code. */
async function redeem(token: string, purpose: CredentialPurpose = 'webapp', eventId?: string): Promise<'ok' | string> {
  try {
    await redeemCredential(t.db, t.ctx, visitor, token, { purposes: [purpose], eventId });
    return 'ok';
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
}

/** Every row of every table, as text: what a stolen backup would hold. */
async function dumpDatabase(): Promise<string> {
  const tables = await t.db.introspection.getTables({ withInternalKyselyTables: true });
  const dump: unknown[] = [];
  for (const { name } of tables) dump.push(name, (await sql`select * from ${sql.table(name)}`.execute(t.db)).rows);
  return JSON.stringify(dump);
}

const auditOf = (action: string) => t.db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('action', '=', action).orderBy('id').execute();

describe('format and storage', () => {
  test('a credential carries 160 random bits from the injected random source, a purpose prefix and a checksum', async () => {
    const sizes: number[] = [];
    const recording: Random = { bytes: (size) => (sizes.push(size), cryptoRandom.bytes(size)) };
    const { token } = await mint({ random: recording });
    assert.ok(sizes.some((size) => size * 8 >= 128), `random bytes drawn: ${sizes.join(', ')}`);
    assert.match(token, /^tsr_app_[a-z2-7]{39}$/);
    assert.equal(tokenKind(token), 'app');
    // One changed character anywhere after the prefix breaks the checksum.
    for (const at of [8, 20, 39, token.length - 1]) {
      const flipped = token.slice(0, at) + (token[at] === 'a' ? 'b' : 'a') + token.slice(at + 1);
      assert.equal(tokenKind(flipped), null, `changed at ${at}`);
    }
    const kinds = await Promise.all((['form', 'rsvp', 'meeting', 'preview', 'signin', 'email_change'] as const).map((purpose) => mint({ purpose })));
    assert.deepEqual(
      kinds.map((m) => /^tsr_([a-z]+)_/.exec(m.token)![1]),
      ['form', 'rsvp', 'meet', 'prev', 'sign', 'mail'],
    );
    const many = await Promise.all(Array.from({ length: 50 }, () => mint()));
    assert.equal(new Set(many.map((m) => m.token)).size, 50, 'no two alike');
  });

  test('only the SHA-256 of a credential is stored: a dump of every table holds no raw token, even after use', async () => {
    const minted = await Promise.all([mint(), mint({ purpose: 'form' }), mint({ purpose: 'signin', singleUse: true })]);
    const [webapp] = minted;
    const used = await redeemCredential(t.db, t.ctx, visitor, webapp!.token, { purposes: ['webapp'] });
    await startAttendeeSession(t.db, t.ctx, { kind: 'app', orgId, eventId: eventA.id, participantId: ada.id, credentialId: used.id });
    await inspectLink(t.db, t.ctx, minted[1]!.token, { purposes: ['form'] }, { userAgent: 'Scanner/1.0' });
    const dump = await dumpDatabase();
    assert.ok(dump.includes('credentials') && dump.includes('audit_log'), 'the dump covers the tables');
    for (const { token, credential } of minted) {
      assert.equal(dump.includes(token), false, `raw token of ${credential.purpose} not stored`);
      assert.equal(dump.includes(token.slice(-39, -7)), false, 'nor its random part');
      assert.ok(dump.includes(hashToken(token)), 'its SHA-256 is');
      const row = await t.db.selectFrom('credentials').select('token_hash').where('id', '=', credential.id).executeTakeFirstOrThrow();
      assert.equal(row.token_hash, hashToken(token));
    }
  });
});

describe('binding and lifetime', () => {
  test('a credential works only for its purpose and its event', async () => {
    const { token } = await mint();
    assert.equal(await redeem(token, 'form'), 'link_invalid', 'a web app link is not a form link');
    assert.equal(await redeem(token, 'webapp', eventB.id), 'link_invalid', "event A's link on event B");
    // The same random part under another purpose's prefix is not a credential at all.
    assert.equal(await redeem(token.replace('tsr_app_', 'tsr_form_'), 'form'), 'link_invalid');
    assert.deepEqual(await inspectLink(t.db, t.ctx, token, { purposes: ['rsvp'] }), { state: 'unknown' });
    assert.deepEqual(await inspectLink(t.db, t.ctx, token, { purposes: ['webapp'], eventId: eventB.id }), { state: 'unknown' });
    const preview = await mint({ purpose: 'preview', singleUse: true });
    for (const purpose of ['webapp', 'form', 'rsvp', 'signin'] as const) assert.equal(await redeem(preview.token, purpose), 'link_invalid', `a preview link as ${purpose}`);
    assert.equal(await redeem(token, 'webapp', eventA.id), 'ok', 'and where it belongs, it works');
  });

  test('forged, truncated, oversized and look-alike tokens are refused without a lookup hint', async () => {
    const { token } = await mint();
    const junk = [token.slice(0, -1), `${token}a`, token.toUpperCase(), 'tsr_app_' + 'a'.repeat(39), 'x'.repeat(10_000), '', 'tsr_app_'];
    for (const candidate of junk) {
      assert.equal(await redeem(candidate), 'link_invalid');
      assert.deepEqual(await inspectLink(t.db, t.ctx, candidate, { purposes: ['webapp'] }), { state: 'unknown' });
    }
  });

  test("expiry follows the purpose and the event's dates", () => {
    const now = new Date('2026-06-01T08:00:00.000Z');
    const event = { startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', rsvpClosesAt: null };
    const at = (ms: number) => new Date(ms).toISOString();
    const end = Date.parse(event.endsAt);
    assert.equal(expiryFor({ purpose: 'webapp', now, event }), at(end + WEBAPP_GRACE_DAYS * DAY), 'web app: event end + grace');
    assert.equal(expiryFor({ purpose: 'rsvp', now, event }), event.startsAt, 'RSVP: the event start when no RSVP deadline');
    assert.equal(expiryFor({ purpose: 'rsvp', now, event: { ...event, rsvpClosesAt: '2026-09-01T00:00:00.000Z' } }), '2026-09-01T00:00:00.000Z', 'RSVP: its deadline');
    assert.equal(expiryFor({ purpose: 'form', now, event }), event.endsAt, 'form: the event end');
    assert.equal(expiryFor({ purpose: 'form', now, event, closesAt: '2026-08-01T00:00:00.000Z' }), '2026-08-01T00:00:00.000Z', 'form: its closing time');
    assert.equal(expiryFor({ purpose: 'meeting', now, event }), event.endsAt);
    assert.equal(expiryFor({ purpose: 'preview', now, event }), at(now.getTime() + PREVIEW_MINUTES * 60_000));
    assert.equal(expiryFor({ purpose: 'signin', now, event }), at(now.getTime() + SIGNIN_MINUTES * 60_000));
    assert.equal(expiryFor({ purpose: 'email_change', now, event }), at(now.getTime() + EMAIL_CHANGE_HOURS * HOUR));
    assert.ok(PREVIEW_MINUTES <= 15 && SIGNIN_MINUTES <= 10 && EMAIL_CHANGE_HOURS <= 24, 'short-lived credentials stay short');
  });

  test('a credential stops working the moment it expires (fake clock)', async () => {
    const { token, credential } = await mint({ purpose: 'signin', singleUse: false });
    const start = t.clock.now();
    try {
      t.clock.set(new Date(Date.parse(credential.expiresAt) - 1));
      assert.equal((await inspectLink(t.db, t.ctx, token, { purposes: ['signin'] })).state, 'valid');
      t.clock.set(credential.expiresAt);
      assert.equal((await inspectLink(t.db, t.ctx, token, { purposes: ['signin'] })).state, 'expired');
      assert.equal(await redeem(token, 'signin'), 'link_invalid');
    } finally {
      t.clock.set(start);
    }
  });
});

describe('use', () => {
  test('20 concurrent redemptions of one one-time credential: exactly one succeeds', async () => {
    const { token, credential } = await mint({ purpose: 'signin', singleUse: true });
    // Separate connections, as separate app nodes would have: on PostgreSQL they race for real;
    // SQLite's single writer serialises them, and the answer must be the same.
    const address = await databaseAddress(t);
    const handle = t.dialect === 'postgres' ? connect({ databaseUrl: address, dataDir: t.dataDir, poolSize: 20 }) : connect({ databaseUrl: null, dataDir: t.dataDir });
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () => redeemCredential(handle.db, t.ctx, visitor, token, { purposes: ['signin'] })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      assert.equal(won.length, 1, 'exactly one redemption');
      assert.ok(lost.every((o) => o.reason instanceof DomainError && o.reason.code === 'link_invalid'), 'the others get the generic refusal');
      if (t.dialect === 'postgres') {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database()`.execute(handle.db);
        assert.ok(rows[0]!.n >= 10, `the redemptions ran on ${rows[0]!.n} connections at once`);
      }
    } finally {
      await handle.close();
    }
    const row = await t.db.selectFrom('credentials').selectAll().where('id', '=', credential.id).executeTakeFirstOrThrow();
    assert.equal(row.use_count, 1);
    assert.ok(row.consumed_at);
    const audited = (await auditOf('credential.used')).filter((entry) => entry.data.includes(credential.id));
    assert.equal(audited.length, 1, 'one use, one audit entry');
    assert.equal((await inspectLink(t.db, t.ctx, token, { purposes: ['signin'] })).state, 'used');
  });

  test('every use of a many-use credential is audited under its owner; refusals change nothing', async () => {
    const { token, credential } = await mint({ participant: bob });
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1000);
      assert.equal(await redeem(token), 'ok');
    }
    assert.equal(await redeem(token, 'form'), 'link_invalid');
    const entries = (await auditOf('credential.used')).filter((entry) => entry.data.includes(credential.id));
    assert.equal(entries.length, 3);
    for (const entry of entries) {
      assert.deepEqual([entry.target_type, entry.target_id, entry.actor_type, entry.ip], ['participant', bob.id, 'anonymous', visitor.ip]);
      const data = JSON.parse(entry.data) as Record<string, unknown>;
      assert.deepEqual(data, { credentialId: credential.id, purpose: 'webapp', eventId: eventA.id, outboxId: null });
      assert.equal(entry.data.includes(token), false);
    }
    const row = await t.db.selectFrom('credentials').select(['use_count', 'last_used_at', 'consumed_at']).where('id', '=', credential.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { use_count: 3, last_used_at: t.clock.now().toISOString(), consumed_at: null });
  });

  test('a send-test credential never opens anything', async () => {
    const { token } = await mintCredential(t.db, t.ctx, {
      purpose: 'webapp',
      orgId,
      eventId: eventA.id,
      subject: { type: 'participant', id: ada.id, email: 'staff@example.org' },
      expiresAt: new Date(t.clock.now().getTime() + DAY).toISOString(),
      singleUse: false,
      test: true,
    });
    assert.equal((await inspectLink(t.db, t.ctx, token, { purposes: ['webapp'] })).state, 'test');
    assert.equal(await redeem(token), 'link_invalid');
  });
});

describe('revocation', () => {
  const staff: Actor = { type: 'staff', id: null, label: 'revoker@example.org', ip: '203.0.113.9' };

  test('revoking one link: its very next use fails, and the session it opened ends; other links keep working', async () => {
    const target = await mint();
    const sibling = await mint();
    const used = await redeemCredential(t.db, t.ctx, visitor, target.token, { purposes: ['webapp'] });
    const session = await startAttendeeSession(t.db, t.ctx, { kind: 'app', orgId, eventId: eventA.id, participantId: ada.id, credentialId: used.id });
    assert.ok(await resolveAttendeeSession(t.db, t.ctx, session.token));
    const count = await revokeCredentials(t.db, t.ctx, staff, orgId, { id: target.credential.id, reason: 'leaked' });
    assert.equal(count, 1);
    assert.equal(await redeem(target.token), 'link_invalid', 'no grace period');
    assert.equal((await inspectLink(t.db, t.ctx, target.token, { purposes: ['webapp'] })).state, 'revoked');
    assert.equal(await resolveAttendeeSession(t.db, t.ctx, session.token), null, 'the session it opened is refused');
    assert.equal(await redeem(sibling.token), 'ok');
    const entry = (await auditOf('credential.revoked')).at(-1)!;
    assert.deepEqual([entry.actor_label, entry.target_type, entry.target_id], ['revoker@example.org', 'credential', target.credential.id]);
    assert.deepEqual(JSON.parse(entry.data), { count: 1, reason: 'leaked', purpose: null, credentialId: target.credential.id });
  });

  test("revoking all links of a participant: every one of theirs fails next, nobody else's", async () => {
    const carol = await createParticipant(t.db, t.ctx, systemActor, orgId, eventA.id, { email: 'carol@example.org', firstName: 'Carol', lastName: 'C' });
    const hers = await Promise.all([mint({ participant: carol }), mint({ participant: carol, purpose: 'form' }), mint({ participant: carol, purpose: 'rsvp' })]);
    const other = await mint({ participant: bob });
    const count = await revokeCredentials(t.db, t.ctx, staff, orgId, { subject: { type: 'participant', id: carol.id }, reason: 'staff' });
    assert.equal(count, 3);
    for (const { token, credential } of hers) assert.equal(await redeem(token, credential.purpose), 'link_invalid', credential.purpose);
    assert.equal(await redeem(other.token), 'ok');
    const entry = (await auditOf('credential.revoked')).at(-1)!;
    assert.deepEqual([entry.target_type, entry.target_id, JSON.parse(entry.data).count], ['participant', carol.id, 3]);
  });

  test('revoking all links of a purpose in an event: that purpose fails next there, other purposes and events keep working', async () => {
    const rsvps = await Promise.all([mint({ purpose: 'rsvp' }), mint({ purpose: 'rsvp', participant: bob })]);
    const form = await mint({ purpose: 'form' });
    const dave = await createParticipant(t.db, t.ctx, systemActor, orgId, eventB.id, { email: 'dave@example.org', firstName: 'Dave', lastName: 'D' });
    const elsewhere = await mint({ purpose: 'rsvp', event: eventB, participant: dave });
    const count = await revokeCredentials(t.db, t.ctx, staff, orgId, { eventId: eventA.id, purpose: 'rsvp', reason: 'rsvp closed' });
    assert.ok(count >= 2);
    for (const { token } of rsvps) assert.equal(await redeem(token, 'rsvp'), 'link_invalid');
    assert.equal(await redeem(form.token, 'form'), 'ok');
    assert.equal(await redeem(elsewhere.token, 'rsvp'), 'ok');
    const entry = (await auditOf('credential.revoked')).at(-1)!;
    assert.deepEqual([entry.target_type, entry.target_id, JSON.parse(entry.data).purpose], ['event', eventA.id, 'rsvp']);
  });

  test("another organisation's revocation touches nothing of this one", async () => {
    const other = await seedOrganisation(t, 'Other Org');
    const { token, credential } = await mint();
    assert.equal(await revokeCredentials(t.db, t.ctx, staff, other.orgId, { id: credential.id, reason: 'x' }), 0);
    assert.equal(await redeem(token), 'ok');
  });
});
