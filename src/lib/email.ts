import { domainToASCII } from 'node:url';
// Single validators, not the whole library: it is 9 MB of resident memory.
import isEmailModule from 'validator/lib/isEmail.js';

const isEmail = isEmailModule.default;

export interface CanonicalEmail {
  /** What we store and send to: trimmed, domain lower-cased and in punycode. */
  email: string;
  /** What we match on: the whole address lower-cased, so Alice@X and alice@x are one person. */
  key: string;
}

export const MAX_EMAIL_LENGTH = 254;

// Plain ASCII addresses (nearly all of them) are settled by this pattern, which accepts only what
// the full check below accepts too: a dot-atom local part, letter-digit-hyphen labels, a
// letters-only top-level domain, no punycode to verify. It costs a tenth of the full check, which a
// 100,000-row import runs twice per row.
const PLAIN_EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Returns null for anything that is not one valid address (no header tricks, no lists). */
export function canonicalEmail(input: unknown): CanonicalEmail | null {
  if (typeof input !== 'string') return null;
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_EMAIL_LENGTH || /[\s,;<>"]/.test(trimmed)) return null;
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  if (at <= 64 && PLAIN_EMAIL.test(trimmed) && !/xn--/i.test(trimmed)) {
    const email = `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
    return { email, key: email.toLowerCase() };
  }
  const local = trimmed.slice(0, at);
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase());
  if (!domain) return null;
  const email = `${local}@${domain}`;
  if (email.length > MAX_EMAIL_LENGTH) return null;
  if (!isEmail(email, { allow_utf8_local_part: true, require_tld: true, allow_ip_domain: false })) return null;
  return { email, key: email.toLowerCase() };
}
