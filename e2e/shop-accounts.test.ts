import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Cookie, Page } from 'playwright-core';
import { screenshotDir } from './helpers/browser.js';
import { mailLinkHref, openMailboxMessage } from './helpers/mailbox.js';
import { setUpOwner, useServerAndBrowser } from './helpers/owner.js';

// A shop customer's account in Chromium: the organiser opens a shop (sales channel, running point
// of sale) and publishes an event; Cleo signs up, reads the verification email in the Mailbox
// page, opens the link (a landing page: nothing happens until the button), sees her address
// confirmed, signs in and registers for the event. She then changes her address in "My account":
// every session ends (a copy of her old session cookie is refused on its next page), the old
// address is told, the new one must be confirmed from its own email before she signs in again.

const DAY = 24 * 3_600_000;
const DATE = new Date(Date.now() + 45 * DAY).toISOString().slice(0, 10);
const EVENT = { name: 'Lighthouse Gala', starts: `${DATE}T19:00`, ends: `${DATE}T23:00`, zone: 'Europe/Paris' };
const CLEO = { first: 'Cleo', last: 'Shopper', email: 'cleo.shop@example.org', password: 'amber-kestrel-harbour' };
const NEW_EMAIL = 'cleo.new@example.org';
const VERIFY_SUBJECT = 'Confirm your email address for Acme Events';
const CHANGED_SUBJECT = 'The email address of your Acme Events account was changed';

describe('shop accounts in Chromium', () => {
  const running = useServerAndBrowser({ mailbox: true });

  test('sign-up, verification from the Mailbox, sign-in, registration; email change signs out everywhere and needs a new confirmation', async (t: TestContext) => {
    const [server, browser] = [running.server(), running.browser()];
    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const customer = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const admin = await staff.newPage();
    const shopper = await customer.newPage();
    admin.setDefaultTimeout(15_000);
    shopper.setDefaultTimeout(15_000);
    const shots = screenshotDir();
    const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `shop-accounts-${name}.png`), fullPage: true });
    let step = 'start';

    async function signIn(email: string): Promise<void> {
      await shopper.goto(`${shopUrl}/sign-in`);
      await shopper.getByLabel('Email address').fill(email);
      await shopper.getByLabel('Password').fill(CLEO.password);
      await shopper.getByRole('button', { name: 'Sign in' }).click();
    }

    /** Opens the verification link of the newest verification mail to `email`, as the customer. */
    async function confirmFromMailbox(email: string, name: string): Promise<void> {
      await openMailboxMessage(admin, server, email, VERIFY_SUBJECT);
      const link = await mailLinkHref(admin, 'Confirm my email address');
      assert.match(link, new RegExp(`^${server.url}/verify/tsr_`), 'the link is built from the public URL');
      await shopper.goto(link);
      assert.equal(await shopper.getByRole('heading', { name: 'Confirm your email address' }).count(), 1, 'a landing page first');
      await shot(shopper, `${name}-landing`);
      await shopper.getByTestId('landing-continue').click();
      await shopper.waitForURL(`${shopUrl}/verified`);
      assert.match((await shopper.getByTestId('verified').textContent()) ?? '', /ready/);
      await shot(shopper, `${name}-confirmed`);
      // The same link again: used once, and said so.
      await shopper.goto(link);
      assert.match((await shopper.getByTestId('dead-link').textContent()) ?? '', /already been used/);
    }

    let shopUrl = '';
    try {
      step = 'organiser: sales channel, running point of sale';
      const eventsUrl = await setUpOwner(admin, server);
      const orgBase = eventsUrl.replace(/\/events$/, '');
      await admin.getByRole('link', { name: 'Shops' }).first().click();
      await admin.waitForURL(`${orgBase}/shops`);
      const channelForm = admin.locator('form').filter({ has: admin.getByRole('button', { name: 'Add channel' }) });
      await channelForm.getByLabel('Name').fill('Web shop');
      await channelForm.getByLabel('Kind').selectOption('internet_b2c');
      await channelForm.getByRole('button', { name: 'Add channel' }).click();
      await admin.waitForURL(/shops\?done=created$/);
      const posForm = admin.locator('form').filter({ has: admin.getByRole('button', { name: 'Create point of sale' }) });
      await posForm.getByLabel('Name', { exact: true }).fill('Gala tickets');
      await posForm.getByLabel(/^Address/).fill('gala');
      await posForm.getByLabel('State').selectOption('running');
      await posForm.getByLabel('Shop heading').fill('Lighthouse tickets');
      await posForm.getByLabel('Welcome text').fill('Evenings by the sea.');
      await posForm.getByRole('button', { name: 'Create point of sale' }).click();
      await admin.waitForURL(/shops\?done=created$/);
      const shopLink = admin.getByRole('row').filter({ hasText: 'Gala tickets' }).getByRole('link', { name: /^\/shop\// });
      shopUrl = (await shopLink.getAttribute('href')) ?? '';
      assert.match(shopUrl, new RegExp(`^${server.url}/shop/[a-z0-9-]+/gala$`));
      await shot(admin, 'backoffice-shops');

      step = 'organiser: a published event';
      await admin.goto(eventsUrl);
      await admin.getByRole('link', { name: 'New event' }).click();
      await admin.getByLabel('Name', { exact: true }).fill(EVENT.name);
      await admin.getByLabel('Starts').fill(EVENT.starts);
      await admin.getByLabel('Ends').fill(EVENT.ends);
      await admin.getByLabel(/^Time zone/).selectOption(EVENT.zone);
      await admin.getByLabel('Status').selectOption('published');
      await admin.getByRole('button', { name: 'Create event' }).click();
      await admin.waitForURL(/\/events\/[0-9a-z]{26}\?done=created$/);
      const eventUrl = `${server.url}${new URL(admin.url()).pathname}`;

      step = 'Cleo signs up in the shop';
      await shopper.goto(shopUrl);
      assert.equal(await shopper.getByRole('heading', { name: 'Lighthouse tickets' }).count(), 1);
      assert.match((await shopper.getByTestId('shop-events').textContent()) ?? '', /Lighthouse Gala/);
      await shot(shopper, 'home');
      await shopper.goto(`${shopUrl}/sign-up`);
      await shopper.getByLabel('Email address').fill(CLEO.email);
      await shopper.getByLabel('First name').fill(CLEO.first);
      await shopper.getByLabel('Last name').fill(CLEO.last);
      await shopper.getByLabel(/^Password/).fill(CLEO.password);
      await shopper.getByRole('button', { name: 'Create my account' }).click();
      assert.match((await shopper.getByTestId('shop-answer').textContent()) ?? '', new RegExp(CLEO.email.replace('.', '\\.')));

      step = 'before confirming, the account stays closed';
      await signIn(CLEO.email);
      assert.match((await shopper.getByTestId('validate-first').textContent()) ?? '', /confirm/);
      await shot(shopper, 'validate-first');

      step = 'Cleo confirms from the Mailbox';
      await confirmFromMailbox(CLEO.email, 'signup');
      await shot(admin, 'mailbox-verification');

      step = 'Cleo signs in and registers';
      await signIn(CLEO.email);
      await shopper.waitForURL(shopUrl);
      await shopper.getByRole('link', { name: 'Register' }).first().click();
      await shopper.getByRole('button', { name: 'Register', exact: true }).click();
      assert.match((await shopper.getByTestId('shop-registered').textContent()) ?? '', /You are registered for Lighthouse Gala/);
      await shot(shopper, 'registered');
      await admin.goto(`${eventUrl}/participants`);
      assert.equal(await admin.getByRole('cell', { name: CLEO.email }).count(), 1, 'the organiser sees her registration');

      step = 'Cleo changes her address: signed out everywhere';
      await shopper.goto(`${shopUrl}/account`);
      assert.match((await shopper.getByTestId('account-email').textContent()) ?? '', new RegExp(`^${CLEO.email.replace('.', '\\.')} confirmed`));
      const oldSession: Cookie[] = await customer.cookies();
      assert.ok(oldSession.some((c) => c.name === 'tessera_customer'), 'a customer session cookie');
      await shopper.getByLabel('New email address').fill(NEW_EMAIL);
      await shopper.getByLabel('Current password').fill(CLEO.password);
      await shopper.getByRole('button', { name: 'Change my email address' }).click();
      assert.match((await shopper.getByTestId('shop-answer').textContent()) ?? '', /signed out everywhere/);
      await shot(shopper, 'email-changed');
      const elsewhere = await browser.newContext();
      await elsewhere.addCookies(oldSession);
      const old = await elsewhere.newPage();
      const refused = await old.goto(`${shopUrl}/account`);
      assert.equal(refused?.status(), 401, 'the old session is refused');
      assert.match((await old.getByTestId('signed-out').textContent()) ?? '', /session has ended/);
      await shot(old, 'old-session-refused');
      await elsewhere.close();

      step = 'the old address is told; the new one must be confirmed';
      await openMailboxMessage(admin, server, CLEO.email, CHANGED_SUBJECT);
      await signIn(NEW_EMAIL);
      assert.equal(await shopper.getByTestId('validate-first').count(), 1, 'the new address is not confirmed yet');
      await confirmFromMailbox(NEW_EMAIL, 'change');

      step = 'Cleo signs in with the new address';
      await signIn(NEW_EMAIL);
      await shopper.waitForURL(shopUrl);
      await shopper.goto(`${shopUrl}/account`);
      assert.match((await shopper.getByTestId('account-email').textContent()) ?? '', new RegExp(`^${NEW_EMAIL.replace('.', '\\.')} confirmed`));
      await shot(shopper, 'account-new-email');
    } catch (error) {
      await shot(shopper, 'failure-shopper').catch(() => undefined);
      await shot(admin, 'failure-admin').catch(() => undefined);
      t.diagnostic(`failed at: ${step}\n${server.output().slice(-4000)}`);
      throw error;
    } finally {
      await staff.close();
      await customer.close();
    }
  });
});
