import { test } from 'node:test';
import assert from 'node:assert/strict';
import validator from 'validator';
import { isCalendarDate } from './field-value.js';

test('date values are checked exactly as validator.isDate checks YYYY-MM-DD', () => {
  const samples = ['2024-02-29', '2023-02-29', '1900-02-29', '2000-02-29', '0000-02-29', '2026-04-31', '2026-12-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-1-01', '26-01-01', ' 2026-01-01', '2026/01/01', '2026-01-01T00:00'];
  for (let year = 1890; year <= 2110; year += 1) {
    for (let month = 0; month <= 13; month += 1) {
      for (const day of [0, 1, 28, 29, 30, 31, 32]) samples.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
    }
  }
  for (const sample of samples) {
    const expected = /^\d{4}-\d{2}-\d{2}$/.test(sample) && validator.isDate(sample, { format: 'YYYY-MM-DD', strictMode: true });
    assert.equal(isCalendarDate(sample), expected, sample);
  }
});
