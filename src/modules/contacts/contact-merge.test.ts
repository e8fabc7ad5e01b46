import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mergedAddress, type AddressState } from './contact-merge.js';

const NOW = '2026-06-01T08:00:00.000Z';
const state = (email: string, verified: boolean, via: AddressState['via'] = 'link'): AddressState => ({
  email,
  key: email.toLowerCase(),
  status: verified ? 'verified' : 'unverified',
  verifiedAt: verified ? '2026-01-01T00:00:00.000Z' : null,
  via: verified ? via : null,
});

// An organisation's contacts have distinct addresses (unique email key), so "the same address on
// both sides" cannot be reached through the back-office; the rule is held here, where it is decided.
describe('the parent’s address after a merge', () => {
  test('same address, only the child validated: the parent ends validated, by merge', () => {
    assert.deepEqual(mergedAddress(state('A@x.org', false), state('a@x.org', true), false, NOW), { ...state('A@x.org', false), status: 'verified', verifiedAt: NOW, via: 'merge' });
  });
  test('same address, the parent validated: unchanged', () => {
    assert.deepEqual(mergedAddress(state('a@x.org', true, 'sso'), state('a@x.org', false), true, NOW), state('a@x.org', true, 'sso'));
  });
  test('same address, neither validated: not validated', () => {
    assert.equal(mergedAddress(state('a@x.org', false), state('a@x.org', false), true, NOW).status, 'unverified');
  });
  test('taking the child’s address takes its validation, date and way', () => {
    assert.deepEqual(mergedAddress(state('p@x.org', false), state('c@x.org', true, 'operator'), true, NOW), state('c@x.org', true, 'operator'));
    assert.deepEqual(mergedAddress(state('p@x.org', true), state('c@x.org', false), true, NOW), state('c@x.org', false));
  });
  test('keeping the parent’s address keeps its status', () => {
    assert.deepEqual(mergedAddress(state('p@x.org', false), state('c@x.org', true), false, NOW), state('p@x.org', false));
  });
});
