import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { screenshotDir } from './helpers/browser.js';
import { launchWithFakeCamera, qrVideo } from './helpers/fake-camera.js';
import { setUpOwner, startServerAndBrowser } from './helpers/owner.js';
import type { RunningServer } from './helpers/server.js';

// Lead exchange as two attendees live it, each in their own browser signed in to the web app
// through "Email me a sign-in link" (the link read in the server's own Mailbox): Grace types
// Ada's lead id and collects her card, Ada sees that Grace collected it. Then Ada points a
// (fake) camera at a badge QR code: the page decodes it and posts Grace's lead id, nothing else.

const DAY = 24 * 3_600_000;
const DATE = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
const EVENT = { name: 'Harbour Summit', starts: `${DATE}T09:00`, ends: `${DATE}T18:00`, zone: 'Europe/Paris' };
const ADA = { first: 'Ada', last: 'Lovelace', email: 'ada.lovelace@example.org' };
const GRACE = { first: 'Grace', last: 'Hopper', email: 'grace.hopper@example.org' };


describe('lead exchange in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let camera: Browser | undefined;
  before(async () => ({ server, browser } = await startServerAndBrowser({ mailbox: true })));
  after(async () => {
    await camera?.close();
    await browser?.close();
    await server?.stop();
  });

  test('two attendees: one enters the other\'s lead id, both see it; a scanned badge sends only its lead id', async () => {
    const shots = screenshotDir();
    const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `leads-${name}.png`), fullPage: true });
    const organiser = await browser.newPage();
    organiser.setDefaultTimeout(15_000);
    const contexts: BrowserContext[] = [];
    let step = 'setup';
    try {
      await setUpOwner(organiser, server);
      await organiser.getByRole('link', { name: 'New event' }).click();
      await organiser.getByLabel('Name', { exact: true }).fill(EVENT.name);
      await organiser.getByLabel('Starts').fill(EVENT.starts);
      await organiser.getByLabel('Ends').fill(EVENT.ends);
      await organiser.getByLabel(/^Time zone/).selectOption(EVENT.zone);
      await organiser.getByRole('button', { name: 'Create event' }).click();
      await organiser.waitForURL(/\/events\/[0-9a-z]{26}\?done=created$/);
      const eventUrl = `${server.url}${new URL(organiser.url()).pathname}`;
      const eventId = new URL(eventUrl).pathname.split('/').pop()!;

      step = 'two registered participants';
      for (const person of [ADA, GRACE]) {
        await organiser.goto(`${eventUrl}/participants`);
        await organiser.getByRole('link', { name: 'Add a participant' }).click();
        await organiser.getByLabel('Email *').fill(person.email);
        await organiser.getByLabel('First name').fill(person.first);
        await organiser.getByLabel('Last name').fill(person.last);
        await organiser.getByLabel('Status').selectOption('registered');
        await organiser.getByRole('button', { name: 'Add participant' }).click();
        await organiser.waitForURL(/\/participants\/[0-9a-z]{26}\?done=created$/);
      }

      /** The attendee asks for a sign-in link on the app's page; their link is read in the Mailbox and opened in their own browser. */
      async function signIn(person: typeof ADA, context: BrowserContext): Promise<Page> {
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        await page.goto(`${server.url}/app/${eventId}/sign-in`);
        await page.getByLabel('Your email address').fill(person.email);
        await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
        await page.getByTestId('signin-answer').waitFor();
        const subject = `Your sign-in link for ${EVENT.name}`;
        await organiser.goto(`${server.url}/admin/mailbox`);
        const row = organiser.getByRole('row').filter({ has: organiser.getByRole('cell', { name: person.email, exact: true }) }).filter({ hasText: subject });
        for (const until = Date.now() + 20_000; (await row.count()) === 0; ) {
          assert.ok(Date.now() < until, `a sign-in mail to ${person.email} in the Mailbox`);
          await organiser.waitForTimeout(300);
          await organiser.reload();
        }
        await row.first().getByRole('link', { name: subject }).click();
        const link = await organiser.frameLocator('iframe.mail-html').getByRole('link', { name: `Sign in to ${EVENT.name}` }).getAttribute('href');
        assert.ok(link?.startsWith(`${server.url}/l/`), 'a personal link on the public URL');
        await page.goto(link!);
        await page.getByTestId('landing-continue').click();
        await page.waitForURL(`${server.url}/app/${eventId}`);
        return page;
      }

      step = 'both sign in';
      const adaContext = await browser.newContext({ viewport: { width: 420, height: 860 } });
      const graceContext = await browser.newContext({ viewport: { width: 420, height: 860 } });
      contexts.push(adaContext, graceContext);
      const ada = await signIn(ADA, adaContext);
      const grace = await signIn(GRACE, graceContext);

      step = 'Ada reads her lead id on "My card"';
      await ada.getByRole('link', { name: 'My card' }).first().click();
      const adaLead = (await ada.getByTestId('my-lead-id').textContent())!.trim();
      assert.match(adaLead, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
      assert.equal((await ada.getByTestId('collectors').textContent())!.trim(), 'Nobody yet.');
      await shot(ada, 'my-card-before');

      step = "Grace types Ada's lead id";
      await grace.getByRole('link', { name: 'Exchange cards' }).first().click();
      await grace.getByLabel('Lead id').fill(adaLead.toLowerCase().replace('-', ' '));
      await grace.getByRole('button', { name: 'Collect this card' }).click();
      const collected = grace.getByTestId('collected');
      await collected.waitFor();
      assert.match((await collected.textContent())!, /Card collected.*Ada Lovelace/s);
      assert.ok(!(await collected.textContent())!.includes(ADA.email), 'the address is not shared by default');
      await shot(grace, 'collected');
      await grace.getByRole('link', { name: 'Collected cards' }).first().click();
      assert.match((await grace.getByTestId('collected-cards').textContent())!, /Ada Lovelace/);

      step = 'Ada sees that Grace collected her card';
      await ada.reload();
      assert.match((await ada.getByTestId('collectors').textContent())!, /Grace Hopper/);
      await shot(ada, 'my-card-after');

      step = 'Ada shares her email: Grace sees it on the card she already has';
      await ada.getByRole('checkbox', { name: /Email/ }).check();
      await ada.getByRole('button', { name: 'Save' }).click();
      await ada.waitForURL(/my-card\?saved=1$/);
      await grace.reload();
      assert.match((await grace.getByTestId('collected-cards').textContent())!, new RegExp(ADA.email.replace('.', '\\.')));

      step = "Grace's lead id for the badge";
      await grace.getByRole('link', { name: 'My card' }).first().click();
      const graceLead = (await grace.getByTestId('my-lead-id').textContent())!.trim();

      step = 'Ada scans a badge with the camera';
      // The badge's QR text: the check-in credential with the lead id inside. Its signature does not
      // matter here: the page must take the lead id out and send only that.
      const qrText = `TQ1:${eventId.toUpperCase()}:${'7'.repeat(26)}:1:${graceLead.replace('-', '')}:${'0'.repeat(103)}`;
      const video = join(shots, 'leads-badge.y4m');
      qrVideo(video, qrText);
      camera = await launchWithFakeCamera(video);
      const scanning = await camera.newContext({ viewport: { width: 420, height: 860 } });
      await scanning.addCookies(await adaContext.cookies());
      const phone = await scanning.newPage();
      phone.setDefaultTimeout(20_000);
      const posted: string[] = [];
      phone.on('request', (request) => {
        if (request.method() === 'POST' && request.url().endsWith(`/app/${eventId}/leads`)) posted.push(request.postData() ?? '');
      });
      await phone.goto(`${server.url}/app/${eventId}/leads`);
      await phone.getByRole('button', { name: 'Start the camera' }).click();
      await phone.getByTestId('collected').waitFor();
      assert.match((await phone.getByTestId('collected').textContent())!, /Card collected.*Grace Hopper/s);
      assert.deepEqual(posted, [JSON.stringify({ leadId: graceLead.replace('-', '') })], 'only the lead id left the page');
      await shot(phone, 'scanned');
      await grace.reload();
      assert.equal(await grace.getByRole('link', { name: 'My card' }).count() > 0, true);
      await grace.getByRole('link', { name: 'My card' }).first().click();
      assert.match((await grace.getByTestId('collectors').textContent())!, /Ada Lovelace/);
    } catch (error) {
      for (const page of [organiser, ...contexts.flatMap((c) => c.pages())]) await shot(page, `failure-${contexts.indexOf(page.context())}`).catch(() => {});
      throw new Error(`lead exchange failed at step "${step}": ${(error as Error).message}\n${server.output().slice(-2000)}`);
    } finally {
      for (const context of contexts) await context.close();
    }
  });
});
