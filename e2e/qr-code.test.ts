import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { decodeQrPng } from '../test/helpers/qr-image.js';
import { screenshotDir } from './helpers/browser.js';
import { addParticipantInBrowser, createEventInBrowser } from './helpers/event.js';
import { mailLinkHref, openMailboxMessage } from './helpers/mailbox.js';
import { setUpOwner, startServerAndBrowser } from './helpers/owner.js';
import type { RunningServer } from './helpers/server.js';

// The attendee's "My QR code" page in Chromium: what the browser draws is a code a scanner reads
// (a screenshot of it, decoded with jsQR), and after the organiser rotates the code from the
// participant page, the page shows the new version.

const DAY = 24 * 3_600_000;
const DATE = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
const EVENT = { name: 'Quayside Forum', starts: `${DATE}T09:00`, ends: `${DATE}T18:00`, zone: 'Europe/Paris' };
const ADA = { first: 'Ada', last: 'Lovelace', email: 'ada.qr@example.org' };

/** What a phone pointed at the page would read: the drawn QR code, screenshotted and decoded. */
async function scanned(page: Page): Promise<string | null> {
  return decodeQrPng(await page.getByTestId('qr-svg').screenshot());
}

describe('My QR code in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => ({ server, browser } = await startServerAndBrowser({ mailbox: true })));
  after(async () => Promise.all([browser?.close(), server?.stop()]));

  test('the attendee scans their own code off the page; after a rotation the page shows the new one', async () => {
    const shots = screenshotDir();
    const organiser = await browser.newPage();
    organiser.setDefaultTimeout(15_000);
    await setUpOwner(organiser, server);
    const eventUrl = await createEventInBrowser(organiser, server, EVENT);
    const eventId = eventUrl.split('/').pop()!;
    const adaId = await addParticipantInBrowser(organiser, eventUrl, ADA);

    // Ada signs in with "Email me a sign-in link", read in the server's own Mailbox.
    const context = await browser.newContext({ viewport: { width: 420, height: 900 } });
    const ada = await context.newPage();
    ada.setDefaultTimeout(15_000);
    await ada.goto(`${server.url}/app/${eventId}/sign-in`);
    await ada.getByLabel('Your email address').fill(ADA.email);
    await ada.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await ada.getByTestId('signin-answer').waitFor();
    await openMailboxMessage(organiser, server, ADA.email, `Your sign-in link for ${EVENT.name}`);
    await ada.goto(await mailLinkHref(organiser, `Sign in to ${EVENT.name}`));
    await ada.getByTestId('landing-continue').click();
    await ada.waitForURL(`${server.url}/app/${eventId}`);

    await ada.getByRole('link', { name: 'My QR code' }).first().click();
    const first = (await ada.getByTestId('qr-text').textContent())!.trim();
    assert.match(first, new RegExp(`^TQ1:${eventId.toUpperCase()}:${adaId.toUpperCase()}:1:[2-9A-HJKMNP-Z]{8}:[0-9A-Z]{103}$`));
    assert.equal(await scanned(ada), first, 'the drawn code reads back as the text under it');
    await ada.screenshot({ path: join(shots, 'qr-code-page.png'), fullPage: true });

    // The organiser rotates it from Ada's page, through the confirmation.
    await organiser.goto(`${eventUrl}/participants/${adaId}`);
    await organiser.getByRole('link', { name: 'Rotate QR code' }).click();
    assert.ok(!(await organiser.content()).includes('TQ1:'), 'the organiser never sees the code');
    await organiser.getByRole('button', { name: 'Rotate QR code' }).click();
    await organiser.getByTestId('qr-rotated').waitFor();
    assert.equal((await organiser.getByTestId('qr-version').textContent())!.trim(), '2');

    await ada.reload();
    const second = (await ada.getByTestId('qr-text').textContent())!.trim();
    assert.notEqual(second, first);
    assert.equal(second.split(':')[3], '2');
    assert.equal(second.split(':')[4], first.split(':')[4], 'the lead id stays');
    assert.equal(await scanned(ada), second);
    await context.close();
  });
});
