import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedOrganisation } from '../../../test/helpers/fixtures.js';
import { canonicalEmail } from '../../lib/email.js';
import { createEvent } from '../events/index.js';
import { upsertParticipants } from '../participants/index.js';
import { bulkBadgePdf } from './index.js';

const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };
const COUNT = 1000;

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

// Through HTTP the kernel's loopback socket buffers would swallow a whole 3 MB file, so the claim
// is made on the stream the route sends: a client that stops reading stops the drawing (and the
// database reads) after a bounded number of badges, and nothing is lost when it reads again.
test('a bulk badge download that nobody reads stops after a bounded number of badges and resumes when read', async () => {
  const { orgId } = await seedOrganisation(t);
  const event = await createEvent(t.db, t.ctx, cli, orgId, { name: 'Big Expo', startsAt: '2026-09-01T08:00:00Z', endsAt: '2026-09-02T18:00:00Z', timeZone: 'UTC' });
  const people = Array.from({ length: COUNT }, (_, i) => ({
    email: canonicalEmail(`p${i}@example.org`)!,
    firstName: `First${i}`,
    lastName: 'Person',
    status: 'registered' as const,
    fields: {},
  }));
  await t.db.transaction().execute((trx) => upsertParticipants(trx, t.ctx, cli, orgId, event.id, people, { existing: 'fail', defaultStatus: 'imported' }));
  const codes = async () => Number((await t.db.selectFrom('qr_codes').select((eb) => eb.fn.countAll().as('n')).where('event_id', '=', event.id).executeTakeFirstOrThrow()).n);

  const download = await bulkBadgePdf(t.db, t.dialect, t.ctx, cli, orgId, event.id, {}, null);
  assert.equal(download.count, COUNT);
  // Wait until the drawing has stopped: the bytes held in the stream hold still for 300 ms.
  const stream = download.stream as typeof download.stream & { writableLength: number };
  const held = () => stream.readableLength + stream.writableLength;
  for (let seen = held(), until = Date.now() + 60_000; Date.now() < until; seen = held()) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (held() > 0 && held() === seen) break;
  }
  assert.ok(held() <= 1_000_000, `${held()} bytes held while nobody read (the whole file is ~3 MB)`);
  const whilePaused = await codes();
  assert.ok(whilePaused > 0 && whilePaused <= 400, `${whilePaused} QR codes made while nobody read (at most two pages of 200)`);

  let pdf = '';
  for await (const chunk of download.stream) pdf += (chunk as Buffer).toString('latin1');
  assert.equal((pdf.match(/\/Type \/Page(?!s)/g) ?? []).length, COUNT, 'one page per badge');
  assert.match(pdf, /%%EOF\s*$/);
  assert.equal(await codes(), COUNT);
});
