import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadConfig, serverKeys } from '../src/config.js';
import { connect } from '../src/db/connection.js';
import { systemClock } from '../src/lib/clock.js';
import { cryptoRandom } from '../src/lib/random.js';
import { qrTextFor } from '../src/modules/qr-codes/index.js';
import { launchBrowser, screenshotDir } from './helpers/browser.js';
import { addParticipantInBrowser, createEventInBrowser } from './helpers/event.js';
import { launchWithFakeCamera, qrVideo } from './helpers/fake-camera.js';
import { setUpOwner } from './helpers/owner.js';
import { startServer, type RunningServer } from './helpers/server.js';

// The door as a steward lives it, in Chromium: the organiser opens the scanner page of the event
// and types (or a handheld scanner types) a participant's code. The first scan admits, the second
// is refused as already checked in; a browser without JavaScript gets the same answer from the
// plain form.

const DAY = 24 * 3_600_000;
const DATE = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
const EVENT = { name: 'Door Summit', starts: `${DATE}T09:00`, ends: `${DATE}T18:00`, zone: 'Europe/Paris' };
const ADA = { first: 'Ada', last: 'Lovelace', email: 'ada.lovelace@example.org' };
const BOB = { first: 'Bob', last: 'Marley', email: 'bob.marley@example.org' };

/**
 * The participant's code exactly as their email, badge and web app carry it: read with the
 * server's own keys and database, through the one function every channel uses.
 */
async function qrCodeOf(server: RunningServer, orgId: string, eventId: string, participantId: string): Promise<string> {
  const config = loadConfig({ NODE_ENV: 'test', TESSERA_DATA_DIR: server.dataDir, TESSERA_PUBLIC_URL: server.url });
  const handle = connect({ databaseUrl: null, dataDir: server.dataDir, poolSize: 1 });
  try {
    const keys = serverKeys(config);
    return await qrTextFor(handle.db, { clock: systemClock, random: cryptoRandom, keys }, keys, orgId, eventId, participantId);
  } finally {
    await handle.close();
  }
}

describe('check-in scanner in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let camera: Browser | undefined;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await camera?.close();
    await browser?.close();
    await server?.stop();
  });

  test('the scanner page admits a participant from a typed code and refuses the second scan; the camera reads a code', async () => {
    const shots = screenshotDir();
    const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `checkin-${name}.png`), fullPage: true });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    page.setDefaultTimeout(15_000);
    let step = 'setup';
    try {
      await setUpOwner(page, server);
      const eventUrl = await createEventInBrowser(page, server, EVENT);
      const eventPath = new URL(eventUrl).pathname;
      const [, , , orgId, , eventId] = eventPath.split('/');

      step = 'a registered participant';
      const participantId = await addParticipantInBrowser(page, eventUrl, ADA);
      const code = await qrCodeOf(server, orgId!, eventId!, participantId);

      step = 'first scan: admitted';
      await page.goto(eventUrl);
      await page.getByRole('link', { name: 'Scan', exact: true }).click();
      await page.waitForURL(/\/scan$/);
      await page.getByLabel('Code').fill(code);
      await page.getByRole('button', { name: 'Check in' }).click();
      const result = page.locator('#scan-result .scan-result');
      await result.waitFor();
      assert.equal(await result.getAttribute('data-result'), 'admitted');
      assert.match((await result.innerText()).toLowerCase(), /admitted/);
      assert.match(await result.innerText(), /Ada Lovelace/);
      assert.doesNotMatch(await page.content(), /ada\.lovelace@example\.org/, 'no email on the scanner page');
      assert.equal(await page.getByLabel('Code').inputValue(), '', 'ready for the next person');
      await shot(page, '1-admitted');

      step = 'second scan: already checked in';
      await page.getByLabel('Code').fill(code);
      await page.getByRole('button', { name: 'Check in' }).click();
      await page.locator('#scan-result .scan-result[data-result="already_checked_in"]').waitFor();
      assert.match((await result.innerText()).toLowerCase(), /already checked in at \d\d:\d\d/);
      await shot(page, '2-already');

      step = 'without JavaScript: the plain form gives the same answer';
      const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
      const plain = await context.newPage();
      await plain.goto(`${eventUrl}/scan`);
      await plain.getByLabel('Code').fill(code);
      await plain.getByRole('button', { name: 'Check in' }).click();
      await plain.locator('#scan-result .scan-result[data-result="already_checked_in"]').waitFor();
      await shot(plain, '3-no-javascript');
      await context.close();

      step = 'the camera reads a code (jsQR in headless Chromium, which has no BarcodeDetector)';
      const bobCode = await qrCodeOf(server, orgId!, eventId!, await addParticipantInBrowser(page, eventUrl, BOB));
      const video = join(shots, 'checkin-code.y4m');
      qrVideo(video, bobCode);
      camera = await launchWithFakeCamera(video);
      const phoneContext = await camera.newContext({ viewport: { width: 390, height: 844 }, storageState: await page.context().storageState() });
      const phone = await phoneContext.newPage();
      phone.setDefaultTimeout(20_000);
      await phone.goto(`${eventUrl}/scan`);
      await phone.getByRole('button', { name: 'Start camera' }).click();
      const scanned = phone.locator('#scan-result .scan-result[data-result="admitted"]');
      await scanned.waitFor();
      assert.match(await scanned.innerText(), /Bob Marley/);
      await shot(phone, '4-camera');
      await phoneContext.close();
    } catch (error) {
      await shot(page, 'failure').catch(() => {});
      throw new Error(`check-in journey failed at "${step}": ${(error as Error).message}\n${server.output()}`);
    }
  });
});
