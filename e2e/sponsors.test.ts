import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { screenshotDir } from './helpers/browser.js';
import { createEventInBrowser } from './helpers/event.js';
import { mailLinkHref, openMailboxMessage } from './helpers/mailbox.js';
import { setUpOwner, startServerAndBrowser } from './helpers/owner.js';
import type { RunningServer } from './helpers/server.js';

// Sponsor permalinks as an organiser and a sponsor contact live them: the organiser adds two
// sponsors and a contact, sends the permalink, and the mail arrives in the Mailbox page. The
// contact opens it in their own browser, presses the landing page's button, edits the profile
// (description, a link, a logo) and is refused everywhere else: the back-office sends them to the
// staff sign-in, the other sponsor's page is not found. The organiser sees the edit and who made it.

const DAY = 24 * 3_600_000;
const DATE = new Date(Date.now() + 60 * DAY).toISOString().slice(0, 10);
const EVENT = { name: 'Harbour Expo', starts: `${DATE}T09:00`, ends: `${DATE}T18:00`, zone: 'Europe/Paris' };
const CONTACT = { name: 'Wile Coyote', email: 'wile@acme-rockets.example' };
const SUBJECT = `Your sponsor page for ${EVENT.name}`;
/** A 1x1 PNG. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');

describe('sponsor permalinks in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => ({ server, browser } = await startServerAndBrowser({ mailbox: true })));
  after(async () => Promise.all([browser?.close(), server?.stop()]));

  test('organiser sends the permalink; the sponsor edits its own profile and is refused elsewhere', async (t: TestContext) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const contexts: BrowserContext[] = [];
    const shots = screenshotDir();
    const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `sponsors-${name}.png`), fullPage: true });
    let step = 'start';
    try {
      step = 'setup and event';
      await setUpOwner(page, server);
      const orgPath = new URL(page.url()).pathname.replace(/\/events$/, '');
      const eventUrl = await createEventInBrowser(page, server, EVENT);

      step = 'add two sponsors and a contact';
      const sponsorIds: string[] = [];
      for (const [name, booth] of [['Globex', 'C3'], ['Acme Rockets', 'B12']] as const) {
        await page.goto(eventUrl);
        await page.getByRole('navigation', { name: 'Event' }).getByRole('link', { name: 'Sponsors' }).click();
        const form = page.getByTestId('new-sponsor');
        await form.getByLabel('Name').fill(name);
        await form.getByLabel('Booth').fill(booth);
        await form.getByRole('button', { name: 'Add sponsor' }).click();
        await page.waitForURL(/\/sponsors\/[0-9a-z]{26}\?done=created$/);
        sponsorIds.push(/\/sponsors\/([0-9a-z]{26})/.exec(page.url())![1]!);
      }
      const [globexId, acmeId] = sponsorIds as [string, string];
      const acmeAdminUrl = page.url().replace(/\?.*$/, '');
      const contactForm = page.getByTestId('new-sponsor-contact');
      await contactForm.getByLabel('Name').fill(CONTACT.name);
      await contactForm.getByLabel('Email').fill(CONTACT.email);
      await contactForm.getByRole('button', { name: 'Add contact' }).click();
      await page.waitForURL(/done=contact_added$/);

      step = 'send the permalink';
      const row = page.locator(`tr[data-contact="${CONTACT.email}"]`);
      await row.getByRole('button', { name: 'Send permalink' }).click();
      await page.waitForURL(/done=permalink_sent$/);
      await shot(page, 'backoffice-sent');

      step = 'the mail arrives in the Mailbox';
      await openMailboxMessage(page, server, CONTACT.email, SUBJECT);
      const permalink = await mailLinkHref(page, 'Open your sponsor profile');
      assert.match(permalink, new RegExp(`^${server.url}/l/tsr_spon_`), 'a sponsor permalink on the public URL');
      await shot(page, 'mailbox');

      step = 'the sponsor opens the link in their own browser';
      const sponsorContext = await browser.newContext({ viewport: { width: 1024, height: 900 } });
      contexts.push(sponsorContext);
      const sponsor = await sponsorContext.newPage();
      sponsor.setDefaultTimeout(15_000);
      await sponsor.goto(permalink);
      await sponsor.getByRole('heading', { name: 'Your sponsor profile' }).waitFor();
      assert.deepEqual((await sponsorContext.cookies()).filter((c) => c.name === 'tessera_sponsor'), [], 'the landing page alone opens nothing');
      await shot(sponsor, 'landing');
      await sponsor.getByTestId('landing-continue').click();
      await sponsor.waitForURL(`${server.url}/sponsor/${acmeId}`);
      assert.equal(new URL(sponsor.url()).search, '', 'no token left in the address');
      assert.equal(await sponsor.getByTestId('sponsor-booth').textContent(), 'B12');

      step = 'the sponsor edits its profile';
      const profile = sponsor.getByTestId('sponsor-profile-form');
      await profile.getByLabel('Description').fill('Rockets, anvils and giant magnets since 1949.');
      await profile.getByLabel('Link 1 label').fill('Website');
      await profile.getByLabel('Link 1 address').fill('https://acme-rockets.example/');
      await profile.getByRole('button', { name: 'Save profile' }).click();
      await sponsor.waitForURL(/\?done=saved$/);
      await sponsor.getByText('Saved.').waitFor();
      assert.equal(await profile.getByLabel('Description').inputValue(), 'Rockets, anvils and giant magnets since 1949.');
      await sponsor.locator('input[type=file][name=logo]').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
      await sponsor.getByRole('button', { name: 'Upload logo' }).click();
      await sponsor.waitForURL(/\?done=logo$/);
      assert.ok(await sponsor.getByTestId('sponsor-logo').isVisible(), 'the logo shows');
      assert.ok(await sponsor.getByTestId('sponsor-logo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 1), 'and loads as an image');
      await shot(sponsor, 'profile');

      step = 'the sponsor is refused elsewhere';
      await sponsor.goto(eventUrl);
      assert.match(sponsor.url(), /\/admin\/login/, 'the back-office sends a sponsor to the staff sign-in');
      await sponsor.goto(`${server.url}${orgPath}/events`);
      assert.match(sponsor.url(), /\/admin\/login/);
      const other = await sponsor.goto(`${server.url}/sponsor/${globexId}`);
      assert.equal(other?.status(), 404, "another sponsor's page is not found");
      await shot(sponsor, 'other-sponsor');
      const own = await sponsor.goto(`${server.url}/sponsor/${acmeId}`);
      assert.equal(own?.status(), 200, 'its own profile still opens');

      step = 'the organiser sees the edit and who made it';
      await page.goto(acmeAdminUrl);
      assert.equal(await page.getByTestId('sponsor-profile-form').getByLabel('Description').inputValue(), 'Rockets, anvils and giant magnets since 1949.');
      await page.goto(`${server.url}${orgPath}/audit`);
      const entry = page.getByRole('row').filter({ hasText: 'sponsor.updated' }).first();
      assert.match((await entry.textContent()) ?? '', new RegExp(`sponsor\\s*${CONTACT.email.replace(/\./g, '\\.')}`));
      await shot(page, 'audit');
    } catch (err) {
      const failure = join(shots, 'sponsors-failure.png');
      await page.screenshot({ path: failure, fullPage: true }).catch(() => {});
      t.diagnostic(`failed at step "${step}"; screenshot: ${failure} at ${page.url()}\n${server.output().slice(-4000)}`);
      throw err;
    } finally {
      for (const c of contexts) await c.close().catch(() => {});
      await context.close();
    }
  });
});
