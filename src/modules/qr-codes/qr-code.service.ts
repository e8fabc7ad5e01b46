import type { Db, QrCodesTable, QrEventKeysTable } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import type { ServerKeys } from '../../lib/keyring.js';
import { audit } from '../audit/index.js';
import { getEvent } from '../events/index.js';
import { getParticipant, type StatusChange } from '../participants/index.js';
import {
  bumpVersion,
  findEventKey,
  findParticipantIdByLead,
  findQrRow,
  findRevocations,
  insertEventKey,
  insertQrRow,
  nextRevocationSeq,
  rowsToFlag,
  setCancelled,
  type RevocationCursor,
} from './qr-code.repository.js';
import { formatLeadId, generateLeadId, normaliseLeadId, parseQrText, publicKeyObject, qrTextOf, signatureValid, signedPart } from './qr-format.js';
import { generateEventKey, signWith } from './qr-keys.js';
import type { QrCheck, QrCodeStatus, QrRevocationPage } from './qr-code.types.js';

// Key rows never change once written (only their revocation counter, never read from here), so
// a process keeps them: a code is then one query (its QR row) and a signature. Only rows read
// outside a transaction are kept: those are committed, where a key written inside a transaction
// could still be rolled back and would then sign codes nobody can verify.
const keyCache = new Map<string, QrEventKeysTable>();

/** The event's key pair, made on first use. The caller has checked that the event is the org's. */
async function ensureEventKey(db: Db, ctx: Ctx, keys: ServerKeys, orgId: string, eventId: string): Promise<QrEventKeysTable> {
  const cacheKey = `${orgId}:${eventId}`;
  const cached = keyCache.get(cacheKey);
  if (cached) return cached;
  let row = await findEventKey(db, orgId, eventId);
  if (!row) {
    const key = generateEventKey(keys, eventId);
    const created = { event_id: eventId, org_id: orgId, key_id: key.keyId, public_key: key.publicKey, sealed_private_key: key.sealedPrivateKey };
    await insertEventKey(db, { ...created, revocation_seq: 0, created_at: ctx.clock.now().toISOString() });
    row = await findEventKey(db, orgId, eventId);
    if (!row) throw new Error('QR signing key not stored');
  }
  if (!db.isTransaction) {
    if (keyCache.size >= 1000) keyCache.clear();
    keyCache.set(cacheKey, row);
  }
  return row;
}

/**
 * The participant's QR row, made on first use with version 1 and a fresh lead id. A lead id
 * already taken in the event makes the insert do nothing: drawn again (rare: 39.6 bits).
 */
async function ensureQrRow(db: Db, ctx: Ctx, keys: ServerKeys, orgId: string, eventId: string, participantId: string): Promise<QrCodesTable> {
  const found = await findQrRow(db, orgId, eventId, participantId);
  if (found) return found;
  // Only a first code reads the participant: to check they are the event's, and their status.
  const participant = await getParticipant(db, orgId, eventId, participantId);
  await ensureEventKey(db, ctx, keys, orgId, eventId);
  const cancelled = participant.status === 'cancelled';
  for (let round = 0; round < 5; round++) {
    const row: QrCodesTable = {
      participant_id: participantId,
      org_id: orgId,
      event_id: eventId,
      version: 1,
      lead_id: generateLeadId(ctx.random),
      cancelled: cancelled ? 1 : 0,
      // Issued to someone already cancelled: on the revocation list from the start.
      change_seq: cancelled ? await nextRevocationSeq(db, eventId) : null,
      created_at: ctx.clock.now().toISOString(),
      rotated_at: null,
    };
    if (await insertQrRow(db, row)) return row;
    // Not written: a concurrent first use made the row (read it), or the lead id was taken.
    const stored = await findQrRow(db, orgId, eventId, participantId);
    if (stored) return stored;
  }
  throw new Error('could not draw a unique lead id');
}

/** The owner's QR code text (for their email, badge and web app page only: never for lists). */
export async function qrTextFor(db: Db, ctx: Ctx, keys: ServerKeys, orgId: string, eventId: string, participantId: string): Promise<string> {
  const row = await ensureQrRow(db, ctx, keys, orgId, eventId, participantId);
  const key = await ensureEventKey(db, ctx, keys, orgId, eventId);
  const fields = { eventId, participantId, version: row.version, leadId: row.lead_id };
  return qrTextOf(fields, signWith(keys, eventId, key.sealed_private_key, signedPart(fields)));
}

/** What a scanner needs to check codes offline. Makes the key pair if the event has none yet. */
export async function eventPublicKey(db: Db, ctx: Ctx, keys: ServerKeys, orgId: string, eventId: string): Promise<{ keyId: string; publicKey: string }> {
  await getEvent(db, orgId, eventId);
  const key = await ensureEventKey(db, ctx, keys, orgId, eventId);
  return { keyId: key.key_id, publicKey: key.public_key };
}

/**
 * Online check at the door: signed by this event's key, for this event, the current version, and
 * the participant not cancelled. A well-formed code of another event of the organisation, signed
 * by that event's key, is `wrong_event`; anything we cannot verify is `forged`.
 */
export async function checkQr(db: Db, _keys: ServerKeys, orgId: string, eventId: string, text: string): Promise<QrCheck> {
  const parsed = typeof text === 'string' && text.length <= 256 ? parseQrText(text) : null;
  if (!parsed) return { ok: false, reason: 'forged' };
  const key = await findEventKey(db, orgId, parsed.eventId);
  const publicKey = key && publicKeyObject(key.public_key);
  if (!publicKey || !signatureValid(publicKey, parsed)) return { ok: false, reason: 'forged' };
  if (parsed.eventId !== eventId) return { ok: false, reason: 'wrong_event' };
  const row = await findQrRow(db, orgId, eventId, parsed.participantId);
  if (!row || row.lead_id !== parsed.leadId || parsed.version > row.version) return { ok: false, reason: 'unknown' };
  if (parsed.version < row.version) return { ok: false, reason: 'revoked' };
  const participant = await getParticipant(db, orgId, eventId, parsed.participantId).catch(() => null);
  if (!participant) return { ok: false, reason: 'unknown' };
  if (participant.status === 'cancelled') return { ok: false, reason: 'revoked' };
  return { ok: true, participantId: row.participant_id, version: row.version, leadId: formatLeadId(row.lead_id) };
}

/**
 * A new version of the participant's code: every earlier one is refused at once online, and by
 * offline scanners from their next revocation-list sync. The lead id stays (it is their card).
 */
export async function rotateQr(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, participantId: string): Promise<{ version: number }> {
  await ensureQrRow(db, ctx, ctx.keys, orgId, eventId, participantId);
  const seq = await nextRevocationSeq(db, eventId);
  const version = await bumpVersion(db, orgId, participantId, seq, ctx.clock.now().toISOString());
  await audit(db, ctx, actor, { orgId, action: 'qr_code.rotated', target: { type: 'participant', id: participantId }, data: { eventId, version } });
  return { version };
}

const CURSOR_PATTERN = /^(0|[1-9][0-9]{0,15})(?:\.([0-9a-hjkmnp-tv-z]{26}))?$/;

function parseCursor(cursor: string | undefined): RevocationCursor {
  const match = CURSOR_PATTERN.exec(cursor ?? '0');
  if (!match) throw new DomainError('validation_failed', 'The revocation cursor is not valid', [{ path: '/cursor', message: 'invalid cursor' }]);
  return { seq: Number(match[1]), participantId: match[2] ?? '' };
}

/**
 * Revocations after the cursor, oldest first: per participant the lowest version still valid
 * (`minVersion`: anything below is refused) and whether they are cancelled (everything refused).
 * A participant appears again whenever that changes, so a consumer keeps the latest entry per
 * participant. Pass back `cursor` to get only what changed since; `more` says to ask again now.
 */
export async function revokedQrs(db: Db, orgId: string, eventId: string, afterCursor?: string, limit = 1000): Promise<QrRevocationPage> {
  const after = parseCursor(afterCursor);
  const rows = await findRevocations(db, orgId, eventId, after, Math.min(Math.max(limit, 1), 5000) + 1);
  const page = rows.slice(0, Math.min(Math.max(limit, 1), 5000));
  const last = page[page.length - 1];
  return {
    entries: page.map((r) => ({ participantId: r.participant_id, minVersion: r.version, cancelled: r.cancelled === 1 })),
    cursor: last ? `${last.change_seq}.${last.participant_id}` : (afterCursor ?? '0'),
    more: rows.length > page.length,
  };
}

/** What the back-office shows about a participant's code (never the code): null if none was made yet. */
export async function qrCodeStatus(db: Db, orgId: string, eventId: string, participantId: string): Promise<QrCodeStatus | null> {
  const row = await findQrRow(db, orgId, eventId, participantId);
  return row ? { version: row.version, rotatedAt: row.rotated_at, createdAt: row.created_at } : null;
}

/** The participant's lead id (XXXX-XXXX), made with their QR row on first use. */
export async function leadIdOf(db: Db, ctx: Ctx, orgId: string, eventId: string, participantId: string): Promise<string> {
  return formatLeadId((await ensureQrRow(db, ctx, ctx.keys, orgId, eventId, participantId)).lead_id);
}

/** Whose lead id this is in the event, or null (typed any case, with or without the dash). */
export async function findParticipantByLeadId(db: Db, orgId: string, eventId: string, leadId: string): Promise<string | null> {
  const lead = normaliseLeadId(leadId);
  return lead ? findParticipantIdByLead(db, orgId, eventId, lead) : null;
}

/** Cancelling a participant puts their code on the revocation list; reinstating takes it off. */
export async function qrStatusChanged(db: Db, eventId: string, changes: readonly StatusChange[]): Promise<void> {
  for (const cancelled of [true, false]) {
    const ids = changes.filter((c) => (c.to === 'cancelled') === cancelled && (c.from === 'cancelled') !== cancelled).map((c) => c.participantId);
    const flagged = await rowsToFlag(db, eventId, ids, cancelled);
    if (flagged.length > 0) await setCancelled(db, eventId, flagged, cancelled, await nextRevocationSeq(db, eventId));
  }
}
