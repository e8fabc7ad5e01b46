import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { encodeBase32 } from '../../lib/base32.js';
import type { Random } from '../../lib/random.js';

/**
 * The personal QR code as text (docs/check-in.md, "QR format"):
 *
 *   TQ1:<EVENT ID>:<PARTICIPANT ID>:<VERSION>:<LEAD ID>:<SIGNATURE>
 *
 * Everything is upper case from the QR alphanumeric set (0-9 A-Z and `:`), so a QR code holds it
 * in alphanumeric mode: the ids are our Crockford base32 ids upper-cased, the version is decimal,
 * the signature is the 64-byte Ed25519 signature over every character before the last `:`, in
 * Crockford base32 (103 characters). 172 characters for version 1: QR version 7 at level M.
 * Nothing here touches the database, so a scanner holding only the event's public key can check it.
 */
export const QR_PREFIX = 'TQ1';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SIGNATURE_CHARS = 103;
const QR_PATTERN = /^TQ1:([0-9A-HJKMNP-TV-Z]{26}):([0-9A-HJKMNP-TV-Z]{26}):([1-9][0-9]{0,8}):([2-9A-HJKMNP-Z]{8}):([0-9A-HJKMNP-TV-Z]{103})$/;

/** Lead ids: 8 characters from 31 without look-alikes (no 0/O, 1/I/L): 39.6 random bits. */
export const LEAD_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const LEAD_LENGTH = 8;

export interface QrFields {
  eventId: string;
  participantId: string;
  version: number;
  leadId: string;
}

/** The signed part: the text up to (not including) the signature's separator. */
export function signedPart(fields: QrFields): string {
  return `${QR_PREFIX}:${fields.eventId.toUpperCase()}:${fields.participantId.toUpperCase()}:${fields.version}:${fields.leadId}`;
}

export function qrTextOf(fields: QrFields, signature: Buffer): string {
  return `${signedPart(fields)}:${encodeBase32(signature, CROCKFORD)}`;
}

/**
 * The 64 signature bytes, or null. 103 characters carry 515 bits: the 3 left over must be zero,
 * or eight different texts would carry one signature and an altered code would still pass.
 */
function decodeSignature(text: string): Buffer | null {
  const out = Buffer.alloc(64);
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (const char of text) {
    buffer = ((buffer << 5) | CROCKFORD.indexOf(char)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffer >> bits) & 0xff;
    }
  }
  return at === 64 && (buffer & ((1 << bits) - 1)) === 0 ? out : null;
}

export interface ParsedQr extends QrFields {
  signed: string;
  signature: Buffer;
}

/** The fields of a well-formed code (signature not checked), or null. */
export function parseQrText(input: string): ParsedQr | null {
  const text = input.trim();
  const match = QR_PATTERN.exec(text);
  if (!match) return null;
  const signature = decodeSignature(match[5]!);
  if (!signature) return null;
  return {
    eventId: match[1]!.toLowerCase(),
    participantId: match[2]!.toLowerCase(),
    version: Number(match[3]),
    leadId: match[4]!,
    signed: text.slice(0, text.length - SIGNATURE_CHARS - 1),
    signature,
  };
}

// Parsing a DER key costs about as much as the signature check; a scanner checks thousands of
// codes against the same one or two keys.
const publicKeys = new Map<string, KeyObject>();

export function publicKeyObject(publicKeyBase64Der: string): KeyObject | null {
  let key = publicKeys.get(publicKeyBase64Der);
  if (!key) {
    try {
      key = createPublicKey({ key: Buffer.from(publicKeyBase64Der, 'base64'), format: 'der', type: 'spki' });
    } catch {
      return null;
    }
    if (key.asymmetricKeyType !== 'ed25519') return null;
    if (publicKeys.size >= 64) publicKeys.clear();
    publicKeys.set(publicKeyBase64Der, key);
  }
  return key;
}

export function signatureValid(key: KeyObject, parsed: ParsedQr): boolean {
  try {
    return verify(null, Buffer.from(parsed.signed, 'latin1'), key, parsed.signature);
  } catch {
    return false;
  }
}

/**
 * Offline check: the fields (lead id as XXXX-XXXX) when the code is well formed and signed by
 * this public key, else null (forged, altered, another event's key, not a QR code at all). Says
 * nothing about revocation: the caller applies the revocation list.
 */
export function verifyQrText(publicKeyBase64Der: string, text: string): QrFields | null {
  if (typeof text !== 'string' || text.length > 256) return null;
  const parsed = parseQrText(text);
  const key = parsed && publicKeyObject(publicKeyBase64Der);
  if (!parsed || !key || !signatureValid(key, parsed)) return null;
  return { eventId: parsed.eventId, participantId: parsed.participantId, version: parsed.version, leadId: formatLeadId(parsed.leadId) };
}

/** A fresh lead id. Bytes of 248 and above are skipped (248 = 8 x 31): no modulo bias. */
export function generateLeadId(random: Random): string {
  const chars: string[] = [];
  while (chars.length < LEAD_LENGTH) {
    const usable = [...random.bytes(LEAD_LENGTH + 4)].filter((byte) => byte < 248);
    chars.push(...usable.slice(0, LEAD_LENGTH - chars.length).map((byte) => LEAD_ALPHABET[byte % 31]!));
  }
  return chars.join('');
}

/** A typed or scanned lead id (any case, spaces and dashes ignored) as stored, or null. */
export function normaliseLeadId(input: string): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  const lead = input.trim().toUpperCase().replace(/[\s-]/g, '');
  return lead.length === LEAD_LENGTH && [...lead].every((c) => LEAD_ALPHABET.includes(c)) ? lead : null;
}

/** XXXX-XXXX, for reading out and printing. */
export function formatLeadId(lead: string): string {
  return `${lead.slice(0, 4)}-${lead.slice(4)}`;
}
