import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { codeSignIn, mailedCode } from '../../../test/helpers/access-codes.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedOrganisation } from '../../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp, type TestSmtp } from '../../../test/helpers/outbox.js';
import { systemActor } from '../../lib/context.js';
import { LOCK_THRESHOLD } from '../../modules/access-codes/index.js';
import { upsertParticipants } from '../../modules/participants/index.js';
import { canonicalEmail } from '../../lib/email.js';

// Timing is compared, not asserted against a budget: the three failures must cost the same,
// whatever the machine. Medians over many tries, interleaved so load hits all three alike. The
// tolerance is 3 ms, or a tenth of the slowest median on a machine so loaded that one request
// takes over 30 ms (other suites running beside this one), where noise alone exceeds 3 ms.
const TRIES = 1000;
const tolerance = (slowest: number) => Math.max(3, slowest / 10);

let t: TestApp;
let smtp: TestSmtp;
let eventId: string;
const wrongCodeEmails: string[] = [];
let lockedEmail = '';

before(async () => {
  t = await createTestApp({ env: { TESSERA_RATE_LIMIT_ALLOW: '127.0.0.1', TESSERA_CODE_SIGNIN_PER_MINUTE: '100000000' } });
  smtp = await startTestSmtp();
  const org = await seedOrganisation(t);
  const seeded = await seedMailing(t, org.orgId, [{ email: 'locked@example.org', firstName: 'Lock', lastName: 'Ed' }]);
  eventId = seeded.event.id;
  lockedEmail = seeded.participants[0]!.email;
  await mailedCode(t, smtp, org.orgId, seeded.participants[0]!);
  // Enough people that no one reaches the lock with wrong codes: each takes fewer than ten.
  const people = Array.from({ length: Math.ceil(TRIES / (LOCK_THRESHOLD - 1)) }, (_, i) => `wrong${i}@example.org`);
  await t.db.transaction().execute((trx) =>
    upsertParticipants(trx, t.ctx, systemActor, org.orgId, eventId, people.map((email) => ({ email: canonicalEmail(email)!, firstName: 'W', lastName: 'C', status: 'registered', fields: {} })), { existing: 'skip', defaultStatus: 'registered' }),
  );
  for (let i = 0; i < TRIES; i++) wrongCodeEmails.push(people[i % people.length]!);
  for (let i = 0; i < LOCK_THRESHOLD; i++) await codeSignIn(t, eventId, lockedEmail, 'NOT-THE-CODE', '127.0.0.1');
});
after(async () => {
  await smtp.close();
  await t.close();
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

test('unknown email, wrong code and locked account take the same time (medians within 3 ms over 1,000 tries each)', async (context) => {
  const times = { unknown: [] as number[], wrong: [] as number[], locked: [] as number[] };
  const attempt = async (kind: keyof typeof times, email: string) => {
    const started = performance.now();
    const response = await codeSignIn(t, eventId, email, 'ABC-DEF-GHJ', '127.0.0.1');
    times[kind].push(performance.now() - started);
    assert.equal(response.statusCode, 401);
  };
  for (let i = 0; i < TRIES; i++) {
    await attempt('unknown', `nobody${i}@example.org`);
    await attempt('wrong', wrongCodeEmails[i]!);
    await attempt('locked', lockedEmail);
  }
  const medians = { unknown: median(times.unknown), wrong: median(times.wrong), locked: median(times.locked) };
  const spread = Math.max(...Object.values(medians)) - Math.min(...Object.values(medians));
  context.diagnostic(`medians (ms): ${JSON.stringify(Object.fromEntries(Object.entries(medians).map(([k, v]) => [k, Number(v.toFixed(3))])))}`);
  assert.ok(spread < tolerance(Math.max(...Object.values(medians))), `medians differ by ${spread.toFixed(2)} ms: ${JSON.stringify(medians)}`);
});
