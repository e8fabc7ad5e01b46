import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { checkQr, eventPublicKey, verifyQrText } from '../qr-codes/index.js';
import type { CheckInResult, ScanPerson } from './checkin.types.js';
import { findScanPerson } from './checkin.repository.js';

/** What the server makes of a scanned code before looking at earlier admissions. */
export interface Verdict {
  /** 'admitted' here means "may be admitted": the caller still has to win the admission. */
  result: CheckInResult;
  person: ScanPerson | null;
  version: number | null;
}

// Statuses whose holder is not expected at the door, whatever their code says.
const NOT_COMING = new Set(['cancelled', 'declined']);

/**
 * Codes are read by a camera, typed, or pasted: case and stray spaces are not part of the
 * credential (the signature covers the upper-case text), everything else is.
 */
export function normaliseCode(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase().slice(0, 300);
}

/**
 * The server's judgement of a code for this event, through the QR module (signature, event,
 * current version, cancellation). A revoked code still names its holder once its signature is
 * good, so the door can tell "cancelled" from "revoked" and show who it is.
 */
export async function judgeCode(db: Db, ctx: Ctx, orgId: string, eventId: string, code: string): Promise<Verdict> {
  const checked = await checkQr(db, ctx.keys, orgId, eventId, code);
  if (checked.ok) {
    const person = await findScanPerson(db, orgId, eventId, checked.participantId);
    if (!person) return { result: 'unknown', person: null, version: null };
    return { result: NOT_COMING.has(person.status) ? 'cancelled' : 'admitted', person, version: checked.version };
  }
  if (checked.reason !== 'revoked') return { result: checked.reason, person: null, version: null };
  const key = await eventPublicKey(db, ctx, ctx.keys, orgId, eventId);
  const fields = verifyQrText(key.publicKey, code);
  const person = fields && fields.eventId === eventId ? await findScanPerson(db, orgId, eventId, fields.participantId) : null;
  if (!person || !fields) return { result: 'revoked', person: null, version: null };
  return { result: NOT_COMING.has(person.status) ? 'cancelled' : 'revoked', person, version: fields.version };
}
