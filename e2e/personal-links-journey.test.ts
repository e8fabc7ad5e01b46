import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hashToken } from '../src/lib/tokens.js';
import { screenshotDir } from './helpers/browser.js';
import { createEventInBrowser } from './helpers/event.js';
import { setUpOwner, startServerAndBrowser } from './helpers/owner.js';
import type { RunningServer } from './helpers/server.js';

// Personal links in one ordered flow through the UI, as an organiser and two attendees live it:
// an imported participant and an invited one added in the back-office, an emailing with their
// personal links (registration, web app, RSVP) sent as a campaign and read in the Mailbox page
// of the server's own SMTP sink. Ada registers through her secure link and opens the app; Ben
// declines through his RSVP link; the organiser sees both statuses change and previews the app
// as Ada behind the staff banner. A mail scanner (a separate browser, no cookies, JavaScript on,
// never clicking) loads Ada's web app link and later her one-time sign-in link: nothing is used,
// no session is set, and her own clicks afterwards still work.

const DAY = 24 * 3_600_000;
/** Two months from now, so every link and the RSVP are still open on the real clock. */
const DATE = new Date(Date.now() + 60 * DAY).toISOString().slice(0, 10);
const EVENT = { name: 'Lakeside Forum', starts: `${DATE}T09:00`, ends: `${DATE}T18:00`, zone: 'Europe/Paris' };
const ADA = { first: 'Ada', last: 'Lovelace', email: 'ada.lovelace@example.org' };
const BEN = { first: 'Ben', last: 'Okafor', email: 'ben.okafor@example.org' };
const SUBJECT = `Your personal links for ${EVENT.name}`;
const TEMPLATE = {
  name: 'Personal links',
  subject: 'Your personal links for {{ event_name }}',
  html: [
    '<p>Hello {{ first_name }},</p>',
    '<p><a href="{{ registration_link }}">Complete my registration</a></p>',
    '<p><a href="{{ webapp_link }}">Open the event app</a></p>',
    '<p><a href="{{ rsvp_link }}">Reply to the invitation</a></p>',
    '<p>These links are yours alone: please do not forward this email.</p>',
  ].join('\n'),
};

const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

async function definition(page: Page, term: string): Promise<string> {
  return squash(await page.locator('dl.fields dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]').first().textContent());
}

describe('personal links in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => ({ server, browser } = await startServerAndBrowser({ mailbox: true })));
  after(async () => Promise.all([browser?.close(), server?.stop()]));

  /** The server's own record of a link (read-only, beside the running server): what was used. */
  function credentialOf(url: string): { use_count: number; consumed_at: string | null; fetch_count: number } {
    const db = new SQLite(join(server.dataDir, 'tessera.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const token = new URL(url).pathname.slice(3);
      return db.prepare('select use_count, consumed_at, fetch_count from credentials where token_hash = ?').get(hashToken(token)) as never;
    } finally {
      db.close();
    }
  }

  test('campaign with personal links, registration, web app, RSVP decline, staff preview, and a scanner that consumes nothing', async (t: TestContext) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const shots = screenshotDir();
    const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `personal-links-${name}.png`), fullPage: true });
    const eventNav = () => page.getByRole('navigation', { name: 'Event' });
    const contexts: BrowserContext[] = [];
    let step = 'start';
    const started = Date.now();

    /** Opens the Mailbox's newest message to `email` with `subject`, waiting for the sink to get it. */
    async function openMail(email: string, subject: string): Promise<void> {
      await page.goto(`${server.url}/admin/mailbox`);
      const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: email, exact: true }) }).filter({ hasText: subject });
      for (const until = Date.now() + 20_000; (await row.count()) === 0; ) {
        assert.ok(Date.now() < until, `a mail "${subject}" to ${email} in the Mailbox`);
        await page.waitForTimeout(300);
        await page.reload();
      }
      await row.first().getByRole('link', { name: subject }).click();
      await page.waitForURL(/\/admin\/mailbox\/[0-9a-z]{26}$/);
      assert.equal(await definition(page, 'Envelope to'), email);
    }

    const mailLink = (name: string) => page.frameLocator('iframe.mail-html').getByRole('link', { name });

    /** Clicks a link of the open message: like a mail client, the Mailbox opens it in a new tab. */
    async function clickMailLink(name: string): Promise<Page> {
      const [tab] = await Promise.all([page.waitForEvent('popup'), mailLink(name).click()]);
      tab.setDefaultTimeout(15_000);
      await tab.waitForLoadState();
      return tab;
    }

    /** A mail scanner: its own browser (no cookies), scripts on, loads the page and waits; never clicks. */
    async function scan(url: string, name: string): Promise<void> {
      const scanner = await browser.newContext({ javaScriptEnabled: true, userAgent: 'Mozilla/5.0 (compatible; LinkScanner/1.0)' });
      contexts.push(scanner);
      const tab = await scanner.newPage();
      const response = await tab.goto(url, { waitUntil: 'load' });
      await tab.waitForLoadState('networkidle');
      assert.equal(response?.status(), 200, 'the scanner sees the landing page');
      assert.ok(await tab.getByTestId('landing-continue').isVisible(), 'with its button, not pressed');
      await shot(tab, `scanner-${name}`);
      const cookies = (await scanner.cookies()).map((c) => c.name);
      assert.ok(!cookies.includes('tessera_attendee'), `no attendee session for the scanner: ${cookies.join(', ')}`);
      await scanner.close();
    }

    async function participantPage(person: typeof ADA): Promise<void> {
      await page.goto(`${eventUrl}/participants`);
      await page.getByRole('link', { name: `${person.last}, ${person.first}` }).click();
      await page.getByRole('heading', { level: 1, name: `${person.first} ${person.last}` }).waitFor();
    }

    const status = async () => squash(await page.locator('dl.fields dt', { hasText: /^Status$/ }).locator('xpath=following-sibling::dd[1]/span[@class="badge"]').textContent());
    let eventUrl = '';

    try {
      step = 'setup and event';
      await setUpOwner(page, server);
      eventUrl = await createEventInBrowser(page, server, EVENT);

      step = 'add an imported and an invited participant';
      for (const [person, personStatus] of [[ADA, 'imported'], [BEN, 'invited']] as const) {
        await page.goto(`${eventUrl}/participants`);
        await page.getByRole('link', { name: 'Add a participant' }).click();
        await page.getByLabel('Email *').fill(person.email);
        await page.getByLabel('First name').fill(person.first);
        await page.getByLabel('Last name').fill(person.last);
        await page.getByLabel('Status').selectOption(personStatus);
        await page.getByRole('button', { name: 'Add participant' }).click();
        await page.waitForURL(/\/participants\/[0-9a-z]{26}\?done=created$/);
        assert.equal(await status(), personStatus);
      }

      step = 'write the template';
      await page.goto(eventUrl);
      await eventNav().getByRole('link', { name: 'Emails' }).click();
      await page.getByRole('link', { name: 'New template' }).click();
      await page.getByLabel('Name', { exact: true }).fill(TEMPLATE.name);
      await page.getByLabel('Type').selectOption({ label: 'Custom' });
      await page.getByLabel('this event only').check();
      await page.getByLabel('Subject', { exact: true }).fill(TEMPLATE.subject);
      await page.getByLabel('HTML body').fill(TEMPLATE.html);
      await page.getByRole('button', { name: 'Create template' }).click();
      await page.waitForURL(/\/emails\/templates\/[0-9a-z]{26}\?done=created$/);

      step = 'send the campaign';
      await page.goto(eventUrl);
      await eventNav().getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('link', { name: 'New campaign' }).click();
      await page.getByLabel(/^Name/).fill('Invitations with personal links');
      await page.getByLabel(/^Template/).selectOption({ label: `${TEMPLATE.name} (Custom)` });
      await page.getByLabel('registered', { exact: true }).uncheck();
      await page.getByLabel('imported', { exact: true }).check();
      await page.getByLabel('invited', { exact: true }).check();
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
      await shot(page, 'campaign-finished');

      step = "a scanner loads Ada's web app link";
      await openMail(ADA.email, SUBJECT);
      const webappUrl = (await mailLink('Open the event app').getAttribute('href'))!;
      assert.ok(webappUrl.startsWith(`${server.url}/l/tsr_app_`), 'a personal link on the public URL');
      await shot(page, 'mailbox-ada');
      await scan(webappUrl, 'webapp-link');
      assert.deepEqual(credentialOf(webappUrl), { use_count: 0, consumed_at: null, fetch_count: 1 }, 'fetched once, used never');
      await participantPage(ADA);
      const webappRow = page.locator('table.personal-links tbody tr', { hasText: 'Web app' });
      assert.ok(await webappRow.getByTestId('fetched-only').isVisible(), 'the organiser sees a fetch that was never used');

      step = 'Ada registers through her secure link';
      await openMail(ADA.email, SUBJECT);
      const register = await clickMailLink('Complete my registration');
      await register.getByRole('heading', { name: `Continue to Registration for ${EVENT.name}` }).waitFor();
      assert.ok(!(await register.content()).includes(ADA.email), 'the landing page does not show her address');
      await shot(register, 'registration-landing');
      await register.getByTestId('landing-continue').click();
      await register.waitForURL((url) => url.pathname.endsWith('/forms/register'));
      assert.ok(!register.url().includes('tsr_'), 'the token has left the address bar');
      assert.equal(await register.getByLabel(/^First name/).inputValue(), '', 'a secure link never prefills');
      await register.getByLabel(/^First name/).fill(ADA.first);
      await register.getByLabel(/^Last name/).fill(ADA.last);
      await shot(register, 'registration-form');
      await register.getByRole('button', { name: 'Register' }).click();
      await register.waitForURL((url) => url.pathname.endsWith('/forms/register/done'));
      await register.getByText(`Your answers for ${EVENT.name} are saved.`).waitFor();
      await register.close();

      step = 'the back-office shows Ada registered';
      await participantPage(ADA);
      assert.equal(await status(), 'registered');
      await shot(page, 'ada-registered');

      step = 'Ada opens the web app from her email';
      await openMail(ADA.email, SUBJECT);
      const app = await clickMailLink('Open the event app');
      await app.getByRole('heading', { name: 'Continue as Ada L.' }).waitFor();
      await app.getByTestId('landing-continue').click();
      await app.waitForURL((url) => /^\/app\/[0-9a-z]{26}$/.test(url.pathname));
      await app.getByRole('heading', { name: `Hello ${ADA.first}` }).waitFor();
      assert.match(squash(await app.getByTestId('profile').textContent()), new RegExp(`${ADA.email}.*Registered`));
      await shot(app, 'webapp');
      await app.close();
      assert.equal(credentialOf(webappUrl).use_count, 1, 'the scanned link still worked for her');

      step = 'Ben declines through his RSVP link';
      await openMail(BEN.email, SUBJECT);
      const rsvp = await clickMailLink('Reply to the invitation');
      await rsvp.getByRole('heading', { name: `Reply to the invitation to ${EVENT.name}` }).waitFor();
      await rsvp.getByTestId('landing-continue').click();
      await rsvp.waitForURL((url) => url.pathname.endsWith('/rsvp'));
      await rsvp.getByRole('heading', { name: `Will you come to ${EVENT.name}?` }).waitFor();
      await shot(rsvp, 'rsvp');
      await rsvp.getByTestId('rsvp-decline').click();
      await rsvp.waitForURL((url) => url.pathname.endsWith('/rsvp/done'));
      await rsvp.getByText(`We have noted that you will not come to ${EVENT.name}.`).waitFor();
      await rsvp.close();
      await participantPage(BEN);
      assert.equal(await status(), 'declined');

      step = 'a scanner loads a one-time sign-in link before Ada does';
      const phone = await browser.newContext({ viewport: { width: 390, height: 800 } });
      contexts.push(phone);
      const ada = await phone.newPage();
      ada.setDefaultTimeout(15_000);
      await ada.goto(`${eventUrl.replace(/\/admin\/o\/[^/]+\/events\//, '/app/')}`);
      await ada.waitForURL((url) => url.pathname.endsWith('/sign-in'));
      await ada.getByLabel('Your email address').fill(ADA.email);
      await ada.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await ada.getByText('a sign-in link is on its way').waitFor();
      await openMail(ADA.email, `Your sign-in link for ${EVENT.name}`);
      const signInUrl = (await mailLink(`Sign in to ${EVENT.name}`).getAttribute('href'))!;
      assert.ok(signInUrl.startsWith(`${server.url}/l/tsr_sign_`));
      await scan(signInUrl, 'signin-link');
      assert.deepEqual(credentialOf(signInUrl), { use_count: 0, consumed_at: null, fetch_count: 1 }, 'the one-time link is still unused');
      await ada.goto(signInUrl);
      await ada.getByTestId('landing-continue').click();
      await ada.waitForURL((url) => /^\/app\/[0-9a-z]{26}$/.test(url.pathname));
      await ada.getByRole('heading', { name: `Hello ${ADA.first}` }).waitFor();
      assert.ok((await phone.cookies()).some((c) => c.name === 'tessera_attendee'), "Ada's own click signed her in");
      assert.equal(credentialOf(signInUrl).use_count, 1);
      await shot(ada, 'signin-after-scan');

      step = 'staff preview from the participant page';
      await participantPage(ADA);
      await page.getByTestId('preview-app').click();
      await page.getByRole('heading', { name: 'Preview the app as Ada L.' }).waitFor();
      await page.getByTestId('landing-continue').click();
      await page.waitForURL((url) => /^\/app\/[0-9a-z]{26}$/.test(url.pathname));
      assert.ok(await page.getByTestId('preview-banner').isVisible(), 'the staff banner');
      await page.getByRole('heading', { name: `Hello ${ADA.first}` }).waitFor();
      await shot(page, 'staff-preview');
      await page.getByRole('navigation').getByRole('link', { name: 'Edit my details' }).click();
      await page.getByRole('heading', { name: 'Edit my details' }).waitFor();
      assert.ok(await page.getByTestId('preview-banner').isVisible(), 'on every page');
      const backOffice = await page.goto(`${eventUrl}/participants`);
      assert.equal(backOffice?.status(), 200);
      assert.equal(page.url(), `${eventUrl}/participants`, 'the staff session is untouched');

      t.diagnostic(`${Date.now() - started} ms; screenshots in ${shots}`);
    } catch (err) {
      const failure = join(shots, 'personal-links-failure.png');
      await page.screenshot({ path: failure, fullPage: true }).catch(() => {});
      t.diagnostic(`failed at step "${step}"; screenshot: ${failure} at ${page.url()}\n${server.output()}`);
      throw err;
    } finally {
      for (const c of contexts) await c.close().catch(() => {});
      await context.close();
    }
  });
});
