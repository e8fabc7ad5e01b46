import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainToASCII } from 'node:url';
import validator from 'validator';
import { canonicalEmail, MAX_EMAIL_LENGTH } from './email.js';

// The check as it is without the plain-ASCII shortcut: the shortcut must never change an answer.
function reference(input: string) {
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_EMAIL_LENGTH || /[\s,;<>"]/.test(trimmed)) return null;
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase());
  if (!domain) return null;
  const email = `${trimmed.slice(0, at)}@${domain}`;
  if (email.length > MAX_EMAIL_LENGTH) return null;
  if (!validator.isEmail(email, { allow_utf8_local_part: true, require_tld: true, allow_ip_domain: false })) return null;
  return { email, key: email.toLowerCase() };
}

test('the plain-address shortcut gives the same answer as the full check', () => {
  const pieces = ['a', 'Z', '0', '9', '.', '..', '-', '_', '+', "'", '@', 'xn--', 'xn--bcher-kva', 'ü', 'ß', 'example', 'COM', 'fr', '1', 'x'.repeat(63), 'y'.repeat(64), ' ', '!', '#', '`', '~', '='];
  let state = 7;
  const next = (n: number) => (state = (state * 1103515245 + 12345) & 0x7fffffff) % n;
  const samples = ['a@b.co', 'A.B-c+d@Sub.Example.COM', 'a@b.c', 'a@1.com', 'a@b.123', 'a@-b.com', 'a@b-.com', 'a.@b.com', '.a@b.com', 'a@b_c.com', 'a@xn--bcher-kva.de', 'a@xn--zz.de'];
  for (let i = 0; i < 20000; i++) {
    let local = '';
    let domain = '';
    for (let k = 1 + next(4); k > 0; k--) local += pieces[next(pieces.length)];
    for (let k = 1 + next(5); k > 0; k--) domain += pieces[next(pieces.length)] + (next(3) === 0 ? '.' : '');
    samples.push(`${local}@${domain}${next(2) ? `.${pieces[next(pieces.length)]}` : ''}`);
  }
  // Mostly well-formed addresses, with the odd character that should send them to the full check.
  const pick = (alphabet: string, min: number, max: number) => Array.from({ length: min + next(max - min + 1) }, () => alphabet[next(alphabet.length)]).join('');
  const odd = () => (next(8) === 0 ? ['ü', '..', '-', '_', ' ', 'xn--'][next(6)] : '');
  for (let i = 0; i < 20000; i++) {
    const local = Array.from({ length: 1 + next(2) }, () => pick("abcXYZ019_+-'=~", 1, next(10) === 0 ? 40 : 8)).join('.') + odd();
    const labels = Array.from({ length: 1 + next(3) }, () => pick('abcxyz019', 1, next(10) === 0 ? 64 : 6) + odd() + pick('abc019', 1, 3));
    samples.push(`${local}@${labels.join('.')}.${next(5) ? 'org' : pick('abcÉ1', 1, 3)}`);
  }
  let plain = 0;
  for (const sample of samples) {
    const expected = reference(sample);
    assert.deepEqual(canonicalEmail(sample), expected, sample);
    if (expected && /^[\x21-\x7e]+$/.test(sample)) plain += 1;
  }
  assert.ok(plain > 1000, `the corpus exercises the shortcut (${plain} plain addresses)`);
});
