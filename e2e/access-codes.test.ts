import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { screenshotDir } from './helpers/browser.js';
import { addParticipantInBrowser, createEventInBrowser } from './helpers/event.js';
import { setUpOwner, useServerAndBrowser } from './helpers/owner.js';

// Access codes as an organiser and an attendee live them, in Chromium: the organiser registers
// Ada and sends her credentials; Ada reads the email in the Mailbox page and signs in with email
// + code; a resend carries the same code; Ada chooses her own code, after which the organiser's
// resend sends a link to set a new one instead (the page says so first); an attacker's wrong
// codes lock code sign-in, and Ada still gets in with an emailed sign-in link.

const DAY = 24 * 3_600_000;
const DATE = new Date(Date.now() + 60 * DAY).toISOString().slice(0, 10);
const EVENT = { name: 'Harbour Summit', starts: `${DATE}T09:00`, ends: `${DATE}T18:00`, zone: 'Europe/Paris' };
const ADA = { first: 'Ada', last: 'Lovelace', email: 'ada.codes@example.org' };
const CREDENTIALS_SUBJECT = `Your access to ${EVENT.name}`;
const OWN_CODE = 'Copper7Lantern';

describe('access codes in Chromium', () => {
  const running = useServerAndBrowser({ mailbox: true });

  test('credentials email, code sign-in, same code on resend, own code, set-code link, lockout with a working sign-in link', async (t: TestContext) => {
    const [server, browser] = [running.server(), running.browser()];
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const contexts: BrowserContext[] = [context];
    const shots = screenshotDir();
    const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `access-codes-${name}.png`), fullPage: true });
    let step = 'start';
    let seen = 0;

    /** The newest message to Ada with this subject, opened in the Mailbox; waits for a new one. */
    async function openMail(subject: string | RegExp): Promise<void> {
      await page.goto(`${server.url}/admin/mailbox`);
      const rows = () => page.getByRole('row').filter({ has: page.getByRole('cell', { name: ADA.email, exact: true }) }).filter({ hasText: subject });
      for (const until = Date.now() + 20_000; (await page.getByRole('row').filter({ has: page.getByRole('cell', { name: ADA.email, exact: true }) }).count()) <= seen; ) {
        assert.ok(Date.now() < until, `a new mail to ${ADA.email}`);
        await page.waitForTimeout(300);
        await page.reload();
      }
      seen = await page.getByRole('row').filter({ has: page.getByRole('cell', { name: ADA.email, exact: true }) }).count();
      await rows().first().getByRole('link').first().click();
      await page.waitForURL(/\/admin\/mailbox\/[0-9a-z]{26}$/);
    }
    const mailText = async () => (await page.frameLocator('iframe.mail-html').locator('body').textContent()) ?? '';
    const codeInMail = async () => {
      const match = /Access code:\s*([2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3})/.exec(await mailText());
      assert.ok(match?.[1], 'an access code in the credentials email');
      return match[1];
    };

    async function attendeeSignIn(tab: Page, eventId: string, email: string, code: string): Promise<void> {
      await tab.goto(`${server.url}/app/${eventId}/sign-in`);
      const form = tab.getByTestId('code-sign-in');
      await form.getByLabel('Email address').fill(email);
      await form.getByLabel('Access code').fill(code);
      await form.getByRole('button', { name: 'Sign in' }).click();
    }

    try {
      step = 'organiser: event and a registered participant';
      await setUpOwner(page, server);
      const eventUrl = await createEventInBrowser(page, server, EVENT);
      const eventId = new URL(eventUrl).pathname.split('/').pop()!;
      const adaId = await addParticipantInBrowser(page, eventUrl, ADA);
      const participantUrl = `${eventUrl}/participants/${adaId}`;
      const panel = page.locator('#access-code');
      assert.match((await panel.textContent()) ?? '', /code set/);
      assert.match((await panel.textContent()) ?? '', /generated/i);

      step = 'organiser sends the credentials';
      await panel.getByRole('button', { name: 'Resend credentials' }).click();
      await page.waitForURL(/done=credentials_sent/);
      await shot(page, 'panel-sent');

      step = 'Ada reads her code in the Mailbox';
      await openMail(CREDENTIALS_SUBJECT);
      const code = await codeInMail();
      await shot(page, 'credentials-mail');

      step = 'Ada signs in with email + code';
      const ada = await browser.newContext();
      contexts.push(ada);
      const adaTab = await ada.newPage();
      adaTab.setDefaultTimeout(15_000);
      await attendeeSignIn(adaTab, eventId, ADA.email.toUpperCase(), code.toLowerCase());
      await adaTab.waitForURL(`${server.url}/app/${eventId}`);
      await adaTab.getByRole('heading', { name: `Hello ${ADA.first}` }).waitFor();
      await shot(adaTab, 'app-home');

      step = 'organiser resends: the same code arrives';
      await page.goto(participantUrl);
      assert.doesNotMatch(await page.content(), new RegExp(code), 'the participant page never shows the code');
      await panel.getByRole('button', { name: 'Resend credentials' }).click();
      await page.waitForURL(/done=credentials_sent/);
      await openMail(CREDENTIALS_SUBJECT);
      assert.equal(await codeInMail(), code);

      step = 'Ada chooses her own code';
      await adaTab.goto(`${server.url}/app/${eventId}/access-code`);
      await adaTab.getByLabel('Current access code').fill(code);
      await adaTab.getByLabel(/^New access code/).first().fill(OWN_CODE);
      await adaTab.getByLabel('New access code again').fill(OWN_CODE);
      await adaTab.getByRole('button', { name: 'Change my access code' }).click();
      await adaTab.getByTestId('code-changed').waitFor();
      await shot(adaTab, 'code-changed');

      step = "organiser's resend now sends a set-code link, and says so first";
      await page.goto(participantUrl);
      assert.match((await panel.textContent()) ?? '', /chosen by (the )?attendee/i);
      await panel.getByRole('button', { name: 'Send a link to set a new code' }).click();
      await page.waitForURL(/done=set_code_link_sent/);
      await openMail(/Set your access code/);
      assert.doesNotMatch(await mailText(), new RegExp(OWN_CODE, 'i'), 'a chosen code is never emailed');
      const setCodeHref = await page.frameLocator('iframe.mail-html').getByRole('link', { name: 'Set a new access code' }).getAttribute('href');
      assert.ok(setCodeHref?.startsWith(`${server.url}/l/tsr_code_`));

      step = 'an attacker locks the code path';
      const attacker = await browser.newContext();
      contexts.push(attacker);
      const attackerTab = await attacker.newPage();
      attackerTab.setDefaultTimeout(15_000);
      for (let i = 0; i < 10; i++) {
        await attendeeSignIn(attackerTab, eventId, ADA.email, `WRONG${i}CODE`);
        await attackerTab.getByTestId('code-sign-in-error').waitFor();
      }
      const stranger = await browser.newContext();
      contexts.push(stranger);
      const adaAgain = await stranger.newPage();
      adaAgain.setDefaultTimeout(15_000);
      await attendeeSignIn(adaAgain, eventId, ADA.email, OWN_CODE);
      await adaAgain.getByTestId('code-sign-in-error').waitFor();
      assert.equal(new URL(adaAgain.url()).pathname, `/app/${eventId}/code-sign-in`, 'locked: even the right code is refused');
      await page.goto(participantUrl);
      await panel.getByTestId('code-locked').waitFor();
      await shot(page, 'panel-locked');

      step = 'Ada still gets in with an emailed sign-in link';
      await adaAgain.goto(`${server.url}/app/${eventId}/sign-in`);
      await adaAgain.locator('form[action$="/sign-in"]').getByLabel('Your email address').fill(ADA.email);
      await adaAgain.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await adaAgain.getByTestId('signin-answer').waitFor();
      await openMail(/sign-in link/i);
      const signInHref = await page.frameLocator('iframe.mail-html').getByRole('link', { name: /Sign in to/ }).getAttribute('href');
      assert.ok(signInHref);
      await adaAgain.goto(signInHref);
      await adaAgain.getByTestId('landing-continue').click();
      await adaAgain.waitForURL(`${server.url}/app/${eventId}`);
      await adaAgain.getByRole('heading', { name: `Hello ${ADA.first}` }).waitFor();
      await shot(adaAgain, 'in-with-link');
    } catch (error) {
      await shot(page, 'failure').catch(() => undefined);
      t.diagnostic(`failed at step: ${step}`);
      throw error;
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
    }
  });
});
