import { mintToken, tokenKind } from '../../lib/tokens.js';
import type { Random } from '../../lib/random.js';
import type { CredentialPurpose } from './credential.types.js';

// The token's kind names its purpose, so a leaked link says what it opens and a link presented
// for another purpose is refused before any lookup.
const KIND: Record<CredentialPurpose, string> = {
  webapp: 'app',
  form: 'form',
  rsvp: 'rsvp',
  meeting: 'meet',
  preview: 'prev',
  signin: 'sign',
  email_change: 'mail',
  access_code: 'code',
  sponsor: 'spon',
  email_verify: 'vrfy',
  password_reset: 'pwrs',
};

const PURPOSE_OF_KIND = new Map(Object.entries(KIND).map(([purpose, kind]) => [kind, purpose as CredentialPurpose]));

export function mintCredentialToken(purpose: CredentialPurpose, random: Random): string {
  return mintToken(KIND[purpose], random);
}

/** The purpose a well-formed credential claims, or null for anything else (no detail why). */
export function claimedPurpose(token: string): CredentialPurpose | null {
  const kind = tokenKind(token);
  return kind ? (PURPOSE_OF_KIND.get(kind) ?? null) : null;
}
