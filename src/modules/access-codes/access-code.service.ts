import type { Db, Dialect } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { macRing } from './code-keys.js';
import { codeMac, codeMacs, macMatches, openCode, sealCode, sealedKeyId } from './code-keys.js';
import { CHOSEN_MIN_LENGTH, formatCode, generateCode, normaliseCode } from './code-format.js';
import {
  claimAttempt,
  findCodeRow,
  findCodeRows,
  findHolderOfMac,
  insertCodes,
  insertSignIn,
  participantIdsWithCode,
  codesNotUnder,
  recordCodeSuccess,
  rekeyCode,
  replaceCode,
  type AccessCodeRow,
} from './access-code.repository.js';
import type { AccessCodeOrigin, AccessCodeStatus, SignInMethod } from './access-code.types.js';
import { trivialReason } from './trivial-codes.js';
import { endParticipantSessions } from '../attendee-sessions/index.js';
import { audit } from '../audit/index.js';

/** Growing waits once ten attempts in a row have failed: 1, 2, 4 … 32 minutes, then an hour each. */
export const LOCK_MINUTES = [1, 2, 4, 8, 16, 32, 60] as const;

function statusOf(row: AccessCodeRow): AccessCodeStatus {
  return {
    participantId: row.participant_id,
    origin: row.origin,
    setAt: row.set_at,
    lastSentAt: row.last_sent_at,
    lastUsedAt: row.last_used_at,
    lockedUntil: row.locked_until,
    failures: row.failures,
    resendable: row.origin === 'generated' && row.sealed !== null,
  };
}

function generatedRow(ctx: Ctx, orgId: string, eventId: string, participantId: string, now: string): AccessCodeRow {
  const code = generateCode(ctx.random);
  const key = macRing(ctx.keys)[0];
  return {
    participant_id: participantId,
    org_id: orgId,
    event_id: eventId,
    code_mac: codeMac(key.key, eventId, code),
    mac_key_id: key.id,
    sealed: sealCode(ctx.keys, participantId, code),
    origin: 'generated',
    set_at: now,
    last_sent_at: null,
    last_used_at: null,
    failures: 0,
    locked_until: null,
  };
}

/**
 * Gives every one of these participants of the event a generated code, unless they have one.
 * Called in the transaction that registers them. Codes are unique in the event by a unique index
 * on the MAC: the rare clash loses its row in the insert and is drawn again.
 */
export async function issueAccessCodes(db: Db, ctx: Ctx, orgId: string, eventId: string, participantIds: readonly string[]): Promise<number> {
  const have = await participantIdsWithCode(db, participantIds);
  let missing = participantIds.filter((id) => !have.has(id));
  const now = ctx.clock.now().toISOString();
  let issued = 0;
  for (let round = 0; missing.length > 0; round++) {
    if (round === 5) throw new Error('could not draw unique access codes');
    const inserted = new Set(await insertCodes(db, missing.map((id) => generatedRow(ctx, orgId, eventId, id, now))));
    issued += inserted.size;
    missing = missing.filter((id) => !inserted.has(id));
  }
  return issued;
}

export async function accessCodeStatus(db: Db, orgId: string, participantId: string): Promise<AccessCodeStatus | null> {
  const row = await findCodeRow(db, orgId, participantId);
  return row ? statusOf(row) : null;
}

export async function accessCodeStatuses(db: Db, orgId: string, participantIds: readonly string[]): Promise<Map<string, AccessCodeStatus>> {
  const rows: AccessCodeRow[] = [];
  for (let i = 0; i < participantIds.length; i += 500) rows.push(...(await findCodeRows(db, orgId, participantIds.slice(i, i + 500))));
  return new Map(rows.map((row) => [row.participant_id, statusOf(row)]));
}

/** The plain code for the credentials email being rendered, or null when Tessera cannot read it back. */
export async function readCodeForMail(db: Db, ctx: Ctx, orgId: string, participantId: string): Promise<string | null> {
  const row = await findCodeRow(db, orgId, participantId);
  if (!row?.sealed || row.origin !== 'generated') return null;
  const code = openCode(ctx.keys, participantId, row.sealed);
  return code ? formatCode(code) : null;
}

const NO_PARTICIPANT = '00000000000000000000000000';

/**
 * Checks a typed code for a participant (or for nobody: `participantId` null), counting the
 * attempt first. Unknown person, locked code and wrong code take the same statements and the
 * same MAC computation, so neither the answer nor its timing tells them apart. `db` is the
 * database, not a transaction: on PostgreSQL the count runs in a transaction of its own.
 */
export async function checkCode(db: Db, dialect: Dialect, ctx: Ctx, eventId: string, participantId: string | null, typed: string): Promise<boolean> {
  const normalised = normaliseCode(typed) ?? '';
  const now = ctx.clock.now();
  const locks = LOCK_MINUTES.map((m) => new Date(now.getTime() + m * 60_000).toISOString());
  const claimed = await claimAttempt(db, dialect, participantId ?? NO_PARTICIPANT, now.toISOString(), locks);
  const stored = claimed ? { keyId: claimed.mac_key_id, mac: claimed.code_mac } : { keyId: '', mac: 'x'.repeat(43) };
  const matches = macMatches(ctx.keys, stored, eventId, normalised) && claimed !== undefined && normalised !== '';
  if (matches && participantId) {
    await recordCodeSuccess(db, participantId, now.toISOString());
    // During a key rotation a chosen code can only move to the new key now, while it is typed.
    const current = macRing(ctx.keys)[0];
    if (stored.keyId !== current.id) await rekeyCode(db, participantId, { code_mac: codeMac(current.key, eventId, normalised), mac_key_id: current.id, sealed: null });
  }
  return matches;
}

export interface RekeyReport {
  rekeyed: number;
  /** Chosen codes still under an old key: they move at their owner's next code sign-in. */
  waitingForOwner: number;
  /** Sealed copies no configured key opens (their key was dropped too early): resend sends a set-code link. */
  unreadable: number;
}

/**
 * After a rotation (new TESSERA_HMAC_KEY / TESSERA_ENCRYPTION_KEY, old ones in ..._PREVIOUS),
 * moves every generated code to the current keys: it opens the sealed copy with whichever key
 * made it, then MACs and seals the code again. `tessera rotate-keys` runs this.
 */
export async function rekeyAccessCodes(db: Db, ctx: Ctx): Promise<RekeyReport> {
  const mac = macRing(ctx.keys)[0];
  const sealPrefix = `${sealedKeyId(ctx.keys)}.`;
  const report: RekeyReport = { rekeyed: 0, waitingForOwner: 0, unreadable: 0 };
  let after = '';
  for (;;) {
    const rows = await codesNotUnder(db, mac.id, sealPrefix, after, 500);
    if (rows.length === 0) return report;
    after = rows[rows.length - 1]!.participant_id;
    for (const row of rows) {
      const code = row.sealed ? openCode(ctx.keys, row.participant_id, row.sealed) : null;
      if (code === null) {
        if (row.sealed) report.unreadable += 1;
        else report.waitingForOwner += 1;
        continue;
      }
      await rekeyCode(db, row.participant_id, { code_mac: codeMac(mac.key, row.event_id, code), mac_key_id: mac.id, sealed: sealCode(ctx.keys, row.participant_id, code) });
      report.rekeyed += 1;
    }
  }
}

export async function recordSignIn(db: Db, ctx: Ctx, orgId: string, eventId: string, participantId: string, method: SignInMethod): Promise<void> {
  await insertSignIn(db, { id: newId(ctx.clock, ctx.random), org_id: orgId, event_id: eventId, participant_id: participantId, method, signed_in_at: ctx.clock.now().toISOString() });
}

export interface ChosenCode {
  code: string;
  /** Words an attacker could guess from (email name, participant and event names). */
  personalWords: readonly string[];
}

/**
 * A code chosen by the attendee or set by an organiser: at least 8 letters or digits, not common
 * or trivial, and no other participant of the event has it (checked under every key of a
 * rotation; the unique index holds the line for the current key). Never stored reversibly.
 * The refusal for "someone has it" says only "choose another": it must not confirm a code.
 */
export async function setChosenCode(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, participantId: string, chosen: ChosenCode, by: Exclude<AccessCodeOrigin, 'generated'>): Promise<void> {
  const normalised = normaliseCode(chosen.code);
  if (!normalised) throw codeRefused('Use letters and digits only (spaces and dashes are ignored), at most 64.');
  if (normalised.length < CHOSEN_MIN_LENGTH) throw codeRefused(`Use at least ${CHOSEN_MIN_LENGTH} letters or digits.`);
  const trivial = trivialReason(normalised, chosen.personalWords);
  if (trivial) throw codeRefused(`${trivial} Choose another.`);
  const macs = codeMacs(ctx.keys, eventId, normalised);
  const holder = await findHolderOfMac(db, eventId, macs.map((m) => m.mac));
  if (holder && holder !== participantId) throw codeRefused('This code cannot be used. Choose another.');
  const current = macs[0]!;
  await storeCode(db, ctx, actor, orgId, eventId, participantId, { code_mac: current.mac, mac_key_id: current.keyId, sealed: null, origin: by });
}

/** A new generated code in place of the current one (organiser: "generate a new code and send it"). */
export async function regenerateCode(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, participantId: string): Promise<void> {
  for (let round = 0; ; round++) {
    const row = generatedRow(ctx, orgId, eventId, participantId, ctx.clock.now().toISOString());
    if (!(await findHolderOfMac(db, eventId, [row.code_mac]))) {
      await storeCode(db, ctx, actor, orgId, eventId, participantId, row);
      return;
    }
    if (round === 5) throw new Error('could not draw a unique access code');
  }
}

async function storeCode(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  orgId: string,
  eventId: string,
  participantId: string,
  values: Pick<AccessCodeRow, 'code_mac' | 'mac_key_id' | 'sealed' | 'origin'>,
): Promise<void> {
  const setAt = ctx.clock.now().toISOString();
  // Only the code itself changes: the failure count and the lock stay (a new code is no way around them).
  const code = { code_mac: values.code_mac, mac_key_id: values.mac_key_id, sealed: values.sealed, origin: values.origin };
  const updated = await replaceCode(db, orgId, participantId, { ...code, set_at: setAt });
  if (!updated) {
    const inserted = await insertCodes(db, [{ ...code, participant_id: participantId, org_id: orgId, event_id: eventId, set_at: setAt, last_sent_at: null, last_used_at: null, failures: 0, locked_until: null }]);
    if (inserted.length === 0) throw codeRefused('This code cannot be used. Choose another.');
  }
  // Whoever was signed in with the old code (a lost phone, a shared laptop) is signed out; an
  // attendee changing their own code gets a new session for this browser from the caller.
  const ended = await endParticipantSessions(db, participantId, ['app']);
  await audit(db, ctx, actor, { orgId, action: 'access_code.changed', target: { type: 'participant', id: participantId }, data: { eventId, origin: values.origin, sessionsEnded: ended } });
}

function codeRefused(message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path: '/code', message }]);
}
