import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp } from './helpers/app.js';

// CI runs the suite twice; this makes sure the second run really is on PostgreSQL.
test('the suite runs on PostgreSQL when TEST_DATABASE_URL is set, and on SQLite otherwise', async () => {
  const t = await createTestApp();
  try {
    assert.equal(t.dialect, process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite');
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
  } finally {
    await t.close();
  }
});
