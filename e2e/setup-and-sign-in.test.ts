import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { screenshotDir } from './helpers/browser.js';
import { EVENTS_PAGE, OWNER, setUpOwner, useServerAndBrowser } from './helpers/owner.js';


describe('first run in Chromium', () => {
  const env = useServerAndBrowser();

  test('the owner sets Tessera up from the printed link, signs out and signs back in', async (t) => {
    const link = await env.server().setupLink();
    assert.ok(link.startsWith(`${env.server().url}/setup/tsr_setup_`), `setup link uses the public URL: ${link}`);
    const context = await env.browser().newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    try {
      await setUpOwner(page, env.server(), OWNER, link);
      const orgId = EVENTS_PAGE.exec(new URL(page.url()).pathname)?.[1];
      assert.ok(orgId, 'lands on the new organisation\'s events page');

      // Signed in straight after setup: the layout offers "Sign out" (on the 404 page too, while
      // the events page is still being built).
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.pathname === '/admin/login');
      await page.goto(`${env.server().url}/admin`);
      assert.equal(new URL(page.url()).pathname, '/admin/login', 'signed out: the back-office sends us to sign in');

      // The setup link worked once.
      const again = await page.goto(link);
      assert.equal(again?.status(), 410);

      await page.goto(`${env.server().url}/admin/login`);
      await page.getByLabel('Email').fill(OWNER.email);
      await page.getByLabel('Password').fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(EVENTS_PAGE);
      assert.equal(EVENTS_PAGE.exec(new URL(page.url()).pathname)?.[1], orgId, 'back in the same organisation');
      assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 1);

      const shot = join(screenshotDir(), 'signed-in.png');
      await page.screenshot({ path: shot, fullPage: true });
      t.diagnostic(`screenshot: ${shot}`);
    } catch (err) {
      const shot = join(screenshotDir(), 'failure.png');
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      t.diagnostic(`failure screenshot: ${shot} at ${page.url()}\n${env.server().output()}`);
      throw err;
    } finally {
      await context.close();
    }
  });
});
