import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { dayLabel } from '../src/web/attendee/meeting-views.js';
import { screenshotDir } from './helpers/browser.js';
import { addParticipantInBrowser, createEventInBrowser } from './helpers/event.js';
import { setUpOwner, startServerAndBrowser } from './helpers/owner.js';
import type { RunningServer } from './helpers/server.js';

// Meeting availability through the UI: the organiser defines an availability campaign, sends an
// emailing whose {{ availability_link }} gives each participant their own link, Ada opens hers
// from the Mailbox, ticks two slots and saves; the planners' page shows her answers, the counts
// per slot, and Ben among those who have not answered.

const DAY = 24 * 3_600_000;
/** Two months from now, so the campaign (closing when the event starts) is open on the real clock. */
const DATE = new Date(Date.now() + 60 * DAY).toISOString().slice(0, 10);
const EVENT = { name: 'Harbour Summit', starts: `${DATE}T09:00`, ends: `${DATE}T18:00`, zone: 'Europe/Paris' };
const ADA = { first: 'Ada', last: 'Lovelace', email: 'ada.lovelace@example.org' };
const BEN = { first: 'Ben', last: 'Okafor', email: 'ben.okafor@example.org' };
const SUBJECT = `When are you free at ${EVENT.name}?`;

const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

describe('meeting availability in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => ({ server, browser } = await startServerAndBrowser({ mailbox: true })));
  after(async () => Promise.all([browser?.close(), server?.stop()]));

  test('an availability form answered from the emailed link is visible to planners', async (t: TestContext) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const shot = (p: Page, name: string) => p.screenshot({ path: join(screenshotDir(), `meetings-${name}.png`), fullPage: true });
    const eventNav = () => page.getByRole('navigation', { name: 'Event' });
    let step = 'start';
    try {
      step = 'setup, event and participants';
      await setUpOwner(page, server);
      const eventUrl = await createEventInBrowser(page, server, EVENT);
      for (const person of [ADA, BEN]) await addParticipantInBrowser(page, eventUrl, person);

      step = 'define the availability campaign';
      await page.goto(eventUrl);
      await eventNav().getByRole('link', { name: 'Meetings' }).click();
      await page.getByRole('link', { name: 'New availability campaign' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Partner meetings');
      await page.getByLabel('Each day from').fill('09:00');
      await page.getByLabel('Each day until').fill('11:00');
      await page.getByLabel('Slot length (minutes)').fill('30');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.waitForURL(/\/meetings\/[0-9a-z]{26}\?done=created$/);
      const plannersUrl = `${server.url}${new URL(page.url()).pathname}`;
      await page.getByText('The link has not been sent to anyone yet').waitFor();

      step = 'write the template and send the emailing';
      await page.goto(eventUrl);
      await eventNav().getByRole('link', { name: 'Emails' }).click();
      await page.getByRole('link', { name: 'New template' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Availability');
      await page.getByLabel('Type').selectOption({ label: 'Custom' });
      await page.getByLabel('this event only').check();
      await page.getByLabel('Subject', { exact: true }).fill('When are you free at {{ event_name }}?');
      await page.getByLabel('HTML body').fill('<p>Hello {{ first_name }},</p><p><a href="{{ availability_link }}">Give my availability</a></p>');
      await page.getByRole('button', { name: 'Create template' }).click();
      await page.waitForURL(/\/emails\/templates\/[0-9a-z]{26}\?done=created$/);
      await page.goto(eventUrl);
      await eventNav().getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('link', { name: 'New campaign' }).click();
      await page.getByLabel(/^Name/).fill('Availability request');
      await page.getByLabel(/^Template/).selectOption({ label: 'Availability (Custom)' });
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.waitForURL(/\/campaigns\/[0-9a-z]{26}\?done=created$/);
      const campaignUrl = `${server.url}${new URL(page.url()).pathname}`;
      await page.getByRole('button', { name: 'Send now to 2 participants' }).click();
      await page.waitForURL((url) => url.searchParams.get('done') === 'sending');
      for (const until = Date.now() + 30_000; squash(await page.locator('h1 .badge').textContent()) !== 'finished'; ) {
        assert.ok(Date.now() < until, 'the campaign finishes');
        await page.waitForTimeout(300);
        await page.goto(campaignUrl);
      }

      step = "Ada opens her link from the Mailbox";
      await page.goto(`${server.url}/admin/mailbox`);
      const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: ADA.email, exact: true }) }).filter({ hasText: SUBJECT });
      for (const until = Date.now() + 20_000; (await row.count()) === 0; ) {
        assert.ok(Date.now() < until, `a mail to ${ADA.email} in the Mailbox`);
        await page.waitForTimeout(300);
        await page.reload();
      }
      await row.first().getByRole('link', { name: SUBJECT }).click();
      await page.waitForURL(/\/admin\/mailbox\/[0-9a-z]{26}$/);
      const link = page.frameLocator('iframe.mail-html').getByRole('link', { name: 'Give my availability' });
      assert.ok((await link.getAttribute('href'))!.startsWith(`${server.url}/l/tsr_meet`), 'a personal meeting link on the public URL');
      const [ada] = await Promise.all([page.waitForEvent('popup'), link.click()]);
      ada.setDefaultTimeout(15_000);
      await ada.getByRole('heading', { name: `Give your availability for meetings at ${EVENT.name}` }).waitFor();
      await ada.getByTestId('landing-continue').click();
      await ada.waitForURL((url) => /\/e\/[0-9a-z]{26}\/meetings\/[0-9a-z]{26}$/.test(url.pathname));
      assert.ok(!ada.url().includes('tsr_'), 'the token has left the address bar');

      step = 'Ada ticks two slots and saves';
      const day = dayLabel(DATE);
      await ada.getByText('You have not answered yet.').waitFor();
      await ada.getByRole('checkbox', { name: `${day}, 09:00–09:30` }).check();
      await ada.getByRole('checkbox', { name: `${day}, 10:30–11:00` }).check();
      await shot(ada, 'form');
      await ada.getByRole('button', { name: 'Save my availability' }).click();
      await ada.getByText('Saved: the organisers see your availability.').waitFor();
      assert.ok(await ada.getByRole('checkbox', { name: `${day}, 09:00–09:30` }).isChecked(), 'her answer is shown back');
      assert.ok(!(await ada.getByRole('checkbox', { name: `${day}, 09:30–10:00` }).isChecked()));
      await ada.close();

      step = 'the planners see the grid and who has not answered';
      await page.goto(plannersUrl);
      const grid = page.getByTestId('availability-grid');
      await grid.waitFor();
      const adaRow = grid.getByRole('row').filter({ hasText: `${ADA.first} ${ADA.last}` });
      assert.equal(await adaRow.locator('td.yes').count(), 2);
      assert.equal(squash(await page.getByTestId(`count-${DATE}T09:00`).textContent()), '1');
      assert.equal(squash(await page.getByTestId(`count-${DATE}T09:30`).textContent()), '0');
      assert.match(squash(await page.getByTestId('not-answered').textContent()), new RegExp(`${BEN.first} ${BEN.last}`));
      await shot(page, 'planners');
    } catch (err) {
      await shot(page, 'failure').catch(() => {});
      t.diagnostic(`failed at step: ${step}`);
      throw err;
    } finally {
      await context.close();
    }
  });
});
