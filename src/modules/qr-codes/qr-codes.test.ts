import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedOrganisation } from '../../../test/helpers/fixtures.js';
import { systemActor } from '../../lib/context.js';
import { encodeBase32 } from '../../lib/base32.js';
import { listAuditEntries } from '../audit/index.js';
import { createEvent, type Event } from '../events/index.js';
import { checkParticipant, createParticipant, updateParticipant, upsertParticipants, type Participant } from '../participants/index.js';
import {
  checkQr,
  eventPublicKey,
  findParticipantByLeadId,
  leadIdOf,
  qrTextFor,
  revokedQrs,
  rotateQr,
  verifyQrText,
} from './index.js';

let t: TestApp;
let orgId: string;
let otherOrgId: string;
let eventA: Event;
let eventB: Event;
let n = 0;

async function person(event: Event, org = orgId): Promise<Participant> {
  n += 1;
  return createParticipant(t.db, t.ctx, systemActor, org, event.id, { email: `qr${n}@example.org`, firstName: 'Q', lastName: `Person ${n}` });
}
const text = (p: Participant, org = orgId) => qrTextFor(t.db, t.ctx, t.ctx.keys, org, p.eventId, p.id);
const check = (event: Event, value: string, org = orgId) => checkQr(t.db, t.ctx.keys, org, event.id, value);

/** The same fields signed by a key pair that is not the event's. */
function forge(value: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signed = value.slice(0, value.lastIndexOf(':'));
  return `${signed}:${encodeBase32(sign(null, Buffer.from(signed), privateKey), '0123456789ABCDEFGHJKMNPQRSTVWXYZ')}`;
}

/** Replaces field `index` (0 = prefix) of a code, keeping its signature. */
function withField(value: string, index: number, replacement: string): string {
  const parts = value.split(':');
  parts[index] = replacement;
  return parts.join(':');
}

before(async () => {
  t = await createTestApp();
  orgId = (await seedOrganisation(t)).orgId;
  otherOrgId = (await seedOrganisation(t, 'Other Org')).orgId;
  const event = (name: string, org = orgId) =>
    createEvent(t.db, t.ctx, systemActor, org, { name, startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris' });
  eventA = await event('QR Summit A');
  eventB = await event('QR Summit B');
});
after(() => t.close());

describe('QR code format', () => {
  test('a code is short upper-case QR alphanumeric text that verifies offline with the event public key', async () => {
    const ada = await person(eventA);
    const value = await text(ada);
    assert.match(value, /^[0-9A-Z$%*+\-./:]+$/);
    assert.ok(value.length <= 180, `${value.length} characters`);
    assert.equal(await text(ada), value, 'the same version gives the same code');
    const { publicKey, keyId } = await eventPublicKey(t.db, t.ctx, t.ctx.keys, orgId, eventA.id);
    assert.match(keyId, /^q[a-z2-7]{8}$/);
    const fields = verifyQrText(publicKey, value);
    assert.deepEqual(fields, { eventId: eventA.id, participantId: ada.id, version: 1, leadId: await leadIdOf(t.db, t.ctx, orgId, eventA.id, ada.id) });
    assert.deepEqual(await check(eventA, value), { ok: true, participantId: ada.id, version: 1, leadId: fields?.leadId });
    assert.deepEqual(await check(eventA, ` ${value}\n`), await check(eventA, value), 'a scanner newline does not matter');
  });

  test('a forged code (fields signed by another key) is refused online and offline', async () => {
    const value = await text(await person(eventA));
    const { publicKey } = await eventPublicKey(t.db, t.ctx, t.ctx.keys, orgId, eventA.id);
    assert.equal(verifyQrText(publicKey, forge(value)), null);
    assert.deepEqual(await check(eventA, forge(value)), { ok: false, reason: 'forged' });
  });

  test('an altered code is refused: another participant, version, lead id, event, signature, padding bits', async () => {
    const [ada, bob] = [await person(eventA), await person(eventA)];
    const value = await text(ada);
    const bobs = await text(bob);
    const { publicKey } = await eventPublicKey(t.db, t.ctx, t.ctx.keys, orgId, eventA.id);
    const signature = value.split(':')[5]!;
    const last = signature.at(-1)!;
    const altered = [
      withField(value, 2, bob.id.toUpperCase()),
      withField(value, 3, '2'),
      withField(value, 3, '01'),
      withField(value, 4, bobs.split(':')[4]!),
      withField(value, 1, eventB.id.toUpperCase()),
      withField(value, 5, (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1)),
      // The last character carries 2 signature bits and 3 zero bits: flipping a zero bit is refused.
      withField(value, 5, signature.slice(0, -1) + '0123456789ABCDEFGHJKMNPQRSTVWXYZ'['0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(last) ^ 1]),
      withField(value, 5, bobs.split(':')[5]!),
      value.toLowerCase(),
      value.slice(0, -1),
      `${value}A`,
    ];
    for (const candidate of altered) {
      assert.equal(verifyQrText(publicKey, candidate), null, candidate);
      const result = await check(eventA, candidate);
      assert.equal(result.ok, false, candidate);
    }
  });

  test("another event's code is refused at this event, and does not verify with this event's key", async () => {
    const guest = await person(eventB);
    const value = await text(guest);
    const { publicKey } = await eventPublicKey(t.db, t.ctx, t.ctx.keys, orgId, eventA.id);
    assert.equal(verifyQrText(publicKey, value), null);
    assert.deepEqual(await check(eventA, value), { ok: false, reason: 'wrong_event' });
    assert.equal((await check(eventB, value)).ok, true);
  });

  test("another organisation's code and another organisation's event are refused", async () => {
    const foreignEvent = await createEvent(t.db, t.ctx, systemActor, otherOrgId, {
      name: 'Foreign',
      startsAt: '2026-09-14T07:00:00.000Z',
      endsAt: '2026-09-15T16:00:00.000Z',
      timeZone: 'Europe/Paris',
    });
    const foreign = await person(foreignEvent, otherOrgId);
    const value = await text(foreign, otherOrgId);
    assert.equal((await check(eventA, value)).ok, false);
    assert.deepEqual(await check(foreignEvent, value, orgId), { ok: false, reason: 'forged' }, 'checked under the wrong organisation');
    await assert.rejects(() => qrTextFor(t.db, t.ctx, t.ctx.keys, orgId, foreignEvent.id, foreign.id), { code: 'not_found' });
    await assert.rejects(() => eventPublicKey(t.db, t.ctx, t.ctx.keys, orgId, foreignEvent.id), { code: 'not_found' });
  });

  test('a key pair made in a transaction that rolled back is never used afterwards', async () => {
    const event = await createEvent(t.db, t.ctx, systemActor, orgId, { name: 'QR Rollback', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-15T16:00:00.000Z', timeZone: 'Europe/Paris' });
    const ivy = await person(event);
    await assert.rejects(() =>
      t.db.transaction().execute(async (trx) => {
        await qrTextFor(trx, t.ctx, t.ctx.keys, orgId, event.id, ivy.id);
        t.clock.advance(11 * 60_000);
        await qrTextFor(trx, t.ctx, t.ctx.keys, orgId, event.id, ivy.id);
        throw new Error('roll back');
      }),
    );
    for (let i = 0; i < 3; i++) {
      t.clock.advance(11 * 60_000);
      const value = await qrTextFor(t.db, t.ctx, t.ctx.keys, orgId, event.id, ivy.id);
      assert.equal((await checkQr(t.db, t.ctx.keys, orgId, event.id, value)).ok, true, `round ${i}`);
    }
  });

  test('the private key is stored only sealed', async () => {
    const rows = await t.db.selectFrom('qr_event_keys').selectAll().execute();
    assert.ok(rows.length >= 2);
    for (const row of rows) {
      // PKCS#8 DER of an Ed25519 key starts with these bytes; sealed text never shows them.
      assert.doesNotMatch(row.sealed_private_key, /MC4CAQAwBQYDK2Vw/);
      assert.match(row.sealed_private_key, /^k[a-z2-7]{8}\./);
    }
  });
});

describe('QR code revocation', () => {
  test('a cancelled participant is refused and listed; reinstated, the same code works again', async () => {
    const carol = await person(eventA);
    const value = await text(carol);
    const before = await revokedQrs(t.db, orgId, eventA.id);
    await updateParticipant(t.db, t.ctx, systemActor, orgId, eventA.id, carol.id, { status: 'cancelled' });
    assert.deepEqual(await check(eventA, value), { ok: false, reason: 'revoked' });
    const listed = await revokedQrs(t.db, orgId, eventA.id, before.cursor);
    assert.deepEqual(listed.entries, [{ participantId: carol.id, minVersion: 1, cancelled: true }]);
    assert.equal(listed.more, false);

    await updateParticipant(t.db, t.ctx, systemActor, orgId, eventA.id, carol.id, { status: 'registered' });
    assert.equal((await check(eventA, value)).ok, true);
    const after = await revokedQrs(t.db, orgId, eventA.id, listed.cursor);
    assert.deepEqual(after.entries, [{ participantId: carol.id, minVersion: 1, cancelled: false }]);
    assert.deepEqual((await revokedQrs(t.db, orgId, eventA.id, after.cursor)).entries, []);
  });

  test('cancelling through a bulk import revokes too, and a code first made for a cancelled participant is listed', async () => {
    const [dan, eve] = [await person(eventA), await person(eventA)];
    const danCode = await text(dan);
    const before = await revokedQrs(t.db, orgId, eventA.id);
    const rows = [dan, eve].map((p) => {
      const checked = checkParticipant([], { email: p.email, status: 'cancelled' });
      assert.ok(checked.ok);
      return checked.value;
    });
    await upsertParticipants(t.db, t.ctx, systemActor, orgId, eventA.id, rows, { existing: 'update', defaultStatus: 'registered' });
    assert.deepEqual(await check(eventA, danCode), { ok: false, reason: 'revoked' });
    const eveCode = await text(eve);
    assert.deepEqual(await check(eventA, eveCode), { ok: false, reason: 'revoked' });
    const listed = await revokedQrs(t.db, orgId, eventA.id, before.cursor);
    assert.deepEqual(
      new Set(listed.entries.map((e) => `${e.participantId}:${e.cancelled}`)),
      new Set([`${dan.id}:true`, `${eve.id}:true`]),
    );
  });

  test('a rotated code: the old version is refused at once, the new one works, listed and audited', async () => {
    const fay = await person(eventA);
    const old = await text(fay);
    const lead = await leadIdOf(t.db, t.ctx, orgId, eventA.id, fay.id);
    const before = await revokedQrs(t.db, orgId, eventA.id);
    const staff = { type: 'staff' as const, id: 'staff-1', label: 'Sam', ip: '192.0.2.1' };
    assert.deepEqual(await rotateQr(t.db, t.ctx, staff, orgId, eventA.id, fay.id), { version: 2 });
    assert.deepEqual(await check(eventA, old), { ok: false, reason: 'revoked' });
    const fresh = await text(fay);
    assert.notEqual(fresh, old);
    assert.deepEqual(await check(eventA, fresh), { ok: true, participantId: fay.id, version: 2, leadId: lead });
    assert.equal(await leadIdOf(t.db, t.ctx, orgId, eventA.id, fay.id), lead, 'the lead id (their card) stays');
    const { publicKey } = await eventPublicKey(t.db, t.ctx, t.ctx.keys, orgId, eventA.id);
    assert.equal(verifyQrText(publicKey, old)?.version, 1, 'offline, the old signature is still genuine: the list refuses it');
    assert.deepEqual((await revokedQrs(t.db, orgId, eventA.id, before.cursor)).entries, [{ participantId: fay.id, minVersion: 2, cancelled: false }]);
    const entries = await listAuditEntries(t.db, { orgId, action: 'qr_code.rotated', limit: 50 });
    assert.ok(entries.some((e) => e.target?.id === fay.id));
  });

  test('the revocation list pages with its cursor and refuses a malformed one', async () => {
    const people = [await person(eventB), await person(eventB), await person(eventB)];
    for (const p of people) await rotateQr(t.db, t.ctx, systemActor, orgId, eventB.id, p.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const result = await revokedQrs(t.db, orgId, eventB.id, cursor, 2);
      seen.push(...result.entries.map((e) => e.participantId));
      cursor = result.cursor;
      if (!result.more) break;
    }
    assert.deepEqual(seen, people.map((p) => p.id));
    assert.deepEqual(await revokedQrs(t.db, otherOrgId, eventB.id), { entries: [], cursor: '0', more: false });
    await assert.rejects(() => revokedQrs(t.db, orgId, eventB.id, "1' or 1=1"), { code: 'validation_failed' });
  });
});

describe('lead ids', () => {
  test('a lead id is short and unique, finds its owner, and is not a QR code; a QR code is not a lead id', async () => {
    const [gus, hal] = [await person(eventA), await person(eventA)];
    const lead = await leadIdOf(t.db, t.ctx, orgId, eventA.id, gus.id);
    assert.match(lead, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    assert.notEqual(await leadIdOf(t.db, t.ctx, orgId, eventA.id, hal.id), lead);
    assert.equal(await findParticipantByLeadId(t.db, orgId, eventA.id, lead), gus.id);
    assert.equal(await findParticipantByLeadId(t.db, orgId, eventA.id, ` ${lead.replace('-', '').toLowerCase()} `), gus.id);
    assert.equal(await findParticipantByLeadId(t.db, orgId, eventB.id, lead), null, 'only in its event');
    assert.equal(await findParticipantByLeadId(t.db, otherOrgId, eventA.id, lead), null);

    const qr = await text(gus);
    assert.ok(!qr.includes(lead), 'the QR text carries the lead id without its dash, never the other way round');
    assert.equal(await findParticipantByLeadId(t.db, orgId, eventA.id, qr), null, 'a QR code is not a lead id');
    assert.deepEqual(await check(eventA, lead), { ok: false, reason: 'forged' }, 'a lead id is not a QR code');
    assert.deepEqual(await check(eventA, lead.replace('-', '')), { ok: false, reason: 'forged' });
    const { publicKey } = await eventPublicKey(t.db, t.ctx, t.ctx.keys, orgId, eventA.id);
    assert.equal(verifyQrText(publicKey, lead), null);
  });
});
