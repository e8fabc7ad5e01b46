import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { codeSignIn, mailedCode } from '../../../test/helpers/access-codes.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { seedOrganisation, type Org } from '../../../test/helpers/fixtures.js';
import { seedMailing, startTestSmtp, type TestSmtp } from '../../../test/helpers/outbox.js';
import { buildApp } from '../../app.js';
import { loadConfig, serverKeys } from '../../config.js';
import { systemActor } from '../../lib/context.js';
import { keyIdOf } from '../../lib/keyring.js';
import { cryptoRandom } from '../../lib/random.js';
import type { Participant } from '../participants/index.js';
import { signUnsubscribeToken, unsubscribeKey, unsubscribeKeys, verifyUnsubscribeToken } from '../emailing/index.js';
import { checkQr, qrTextFor, resealQrSigningKeys } from '../qr-codes/index.js';
import { rekeyAccessCodes, setChosenCode } from './index.js';

const secret = () => randomBytes(32).toString('base64');

let t: TestApp;
let smtp: TestSmtp;
let org: Org;
let generated: Participant;
let chosen: Participant;
let generatedCode: string;
const apps: FastifyInstance[] = [];

before(async () => {
  t = await createTestApp();
  smtp = await startTestSmtp();
  org = await seedOrganisation(t);
  const seeded = await seedMailing(t, org.orgId, [
    { email: 'gen@example.org', firstName: 'Gen', lastName: 'Erated' },
    { email: 'cho@example.org', firstName: 'Cho', lastName: 'Sen' },
  ]);
  [generated, chosen] = [seeded.participants[0]!, seeded.participants[1]!];
  generatedCode = await mailedCode(t, smtp, org.orgId, generated);
  await setChosenCode(t.db, t.ctx, systemActor, org.orgId, chosen.eventId, chosen.id, { code: 'Violet3Canyon7', personalWords: [] }, 'attendee');
});
after(async () => {
  for (const app of apps) await app.close();
  await smtp.close();
  await t.close();
});

/** The same database served with other keys, as after an operator changed the environment. */
async function withKeys(env: Record<string, string>): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    TESSERA_DATA_DIR: t.dataDir,
    TESSERA_PUBLIC_URL: 'https://tessera.test',
    TESSERA_COOKIE_KEY: t.config.secrets.cookieKey,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp({ config, db: t.db, dialect: t.dialect, clock: t.clock, random: cryptoRandom });
  await app.ready();
  apps.push(app);
  return { ...t, app, config, ctx: { ...t.ctx, keys: serverKeys(config) } };
}

test('after a rotation, codes made under the old keys still sign in, move to the new keys, and work once the old keys are gone', async () => {
  const [hmac, encryption] = [secret(), secret()];
  const rotating = await withKeys({
    TESSERA_HMAC_KEY: hmac,
    TESSERA_ENCRYPTION_KEY: encryption,
    TESSERA_HMAC_KEY_PREVIOUS: t.config.secrets.hmacKey,
    TESSERA_ENCRYPTION_KEY_PREVIOUS: t.config.secrets.encryptionKey,
  });
  assert.equal((await codeSignIn(rotating, generated.eventId, chosen.email, 'violet3canyon7')).statusCode, 303);
  const movedOnUse = await t.db.selectFrom('access_codes').select('mac_key_id').where('participant_id', '=', chosen.id).executeTakeFirstOrThrow();
  assert.equal(movedOnUse.mac_key_id, keyIdOf(hmac), 'a chosen code moves to the new key when typed');

  const report = await rekeyAccessCodes(t.db, rotating.ctx);
  assert.deepEqual(report, { rekeyed: 1, waitingForOwner: 0, unreadable: 0 });

  const rotated = await withKeys({ TESSERA_HMAC_KEY: hmac, TESSERA_ENCRYPTION_KEY: encryption });
  assert.equal((await codeSignIn(rotated, generated.eventId, generated.email, generatedCode)).statusCode, 303);
  assert.equal((await codeSignIn(rotated, generated.eventId, chosen.email, 'Violet3Canyon7')).statusCode, 303);
  assert.equal(await mailedCode(rotated, smtp, org.orgId, generated), generatedCode, 'resend still sends the same code');
});

test('after a rotation, unsubscribe links already sent keep working until the old key is dropped', async () => {
  const [hmac, encryption] = [secret(), secret()];
  const oldLink = signUnsubscribeToken(unsubscribeKey(t.config.secrets.hmacKey), '01jz0000000000000000000000');
  const rotating = await withKeys({ TESSERA_HMAC_KEY: hmac, TESSERA_ENCRYPTION_KEY: encryption, TESSERA_HMAC_KEY_PREVIOUS: t.config.secrets.hmacKey });
  assert.equal(verifyUnsubscribeToken(unsubscribeKeys(rotating.ctx.keys), oldLink), '01jz0000000000000000000000');
  const rotated = await withKeys({ TESSERA_HMAC_KEY: hmac, TESSERA_ENCRYPTION_KEY: encryption });
  assert.equal(verifyUnsubscribeToken(unsubscribeKeys(rotated.ctx.keys), oldLink), null);
});

test('rotate-keys seals the QR signing keys again: codes made before still check in, new ones are signed with the same key pair', async () => {
  const event = generated.eventId;
  const before = await qrTextFor(t.db, t.ctx, t.ctx.keys, org.orgId, event, generated.id);
  const encryption = secret();
  const rotating = await withKeys({ TESSERA_HMAC_KEY: t.config.secrets.hmacKey, TESSERA_ENCRYPTION_KEY: encryption, TESSERA_ENCRYPTION_KEY_PREVIOUS: t.config.secrets.encryptionKey });
  assert.deepEqual(await resealQrSigningKeys(t.db, rotating.ctx), { resealed: 1, unreadable: 0 });
  const rotated = await withKeys({ TESSERA_HMAC_KEY: t.config.secrets.hmacKey, TESSERA_ENCRYPTION_KEY: encryption });
  const after = await qrTextFor(t.db, rotated.ctx, rotated.ctx.keys, org.orgId, event, chosen.id);
  assert.equal((await checkQr(t.db, rotated.ctx.keys, org.orgId, event, before)).ok, true);
  assert.equal((await checkQr(t.db, rotated.ctx.keys, org.orgId, event, after)).ok, true);
});

test('with the old keys dropped too early, codes under them are refused rather than misread', async () => {
  const other = await withKeys({ TESSERA_HMAC_KEY: secret(), TESSERA_ENCRYPTION_KEY: secret() });
  assert.equal((await codeSignIn(other, generated.eventId, generated.email, generatedCode)).statusCode, 401);
});
