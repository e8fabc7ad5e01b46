import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createMailTransport } from '../src/modules/mail-transport/index.js';
import { launchBrowser, screenshotDir } from './helpers/browser.js';
import { OWNER, setUpOwner } from './helpers/owner.js';
import { freePort, startServer, type RunningServer } from './helpers/server.js';

// The local mail sink of a real `npm start`-like server, read in Chromium: the HTML body runs no
// script (inline, event handler, or touching the page around it), and its links open the real
// Tessera page in a new tab.

describe('Mailbox in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let sinkPort: number;
  before(async () => {
    sinkPort = await freePort();
    server = await startServer({ env: { TESSERA_SMTP_SINK_PORT: String(sinkPort) } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('an email in the Mailbox shows in a sandbox where no script runs and links open Tessera', async (t) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    try {
      await setUpOwner(page, server);
      const transport = createMailTransport({ smtpUrl: null, smtpSinkPort: sinkPort, dkim: null, publicUrl: new URL(server.url) });
      const result = await transport.send({
        from: 'Acme Events <noreply@example.org>',
        to: { email: OWNER.email, name: OWNER.name },
        subject: 'Your account link',
        html: [
          '<h1 style="color:#0a7">Welcome</h1>',
          `<p><a href="${server.url}/admin/account">Open my account</a></p>`,
          "<script>document.body.setAttribute('data-script', 'ran'); try { parent.document.title = 'pwned'; } catch (e) {}</script>",
          `<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onload="document.body.setAttribute('data-handler', 'ran')" alt="">`,
          '<form action="/admin/logout" method="post"><button>Sign out via the email</button></form>',
        ].join(''),
        text: `Welcome. Open my account: ${server.url}/admin/account`,
        messageId: '<e2e-mailbox-1@example.org>',
      });
      await transport.close();
      assert.equal(result.ok, true, JSON.stringify(result));

      await page.getByRole('link', { name: 'Mailbox' }).click();
      await page.waitForURL(/\/admin\/mailbox$/);
      await page.getByRole('link', { name: 'Your account link' }).click();
      await page.waitForURL(/\/admin\/mailbox\/[0-9a-z]{26}$/);
      assert.ok(await page.getByText(`Welcome. Open my account: ${server.url}/admin/account`).isVisible(), 'the text body');

      const frame = page.frameLocator('iframe.mail-html');
      await frame.getByRole('heading', { name: 'Welcome' }).waitFor();
      assert.equal(await frame.locator('body').getAttribute('data-script'), null, 'no inline script ran');
      assert.equal(await frame.locator('body').getAttribute('data-handler'), null, 'no event handler ran');
      assert.notEqual(await page.title(), 'pwned');

      // The form inside the email cannot post (no allow-forms): still signed in afterwards.
      await frame.getByRole('button', { name: 'Sign out via the email' }).click();
      await page.waitForTimeout(300);
      assert.match(page.url(), /\/admin\/mailbox\/[0-9a-z]{26}$/);

      const [tab] = await Promise.all([context.waitForEvent('page'), frame.getByRole('link', { name: 'Open my account' }).click()]);
      await tab.waitForLoadState();
      assert.equal(tab.url(), `${server.url}/admin/account`);
      assert.ok(await tab.getByRole('button', { name: 'Sign out' }).isVisible(), 'the link opened the real page, signed in');

      const shot = join(screenshotDir(), 'mailbox-message.png');
      await page.screenshot({ path: shot, fullPage: true });
      t.diagnostic(`screenshot: ${shot}`);
    } catch (err) {
      const shot = join(screenshotDir(), 'mailbox-failure.png');
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      t.diagnostic(`failure screenshot: ${shot} at ${page.url()}\n${server.output()}`);
      throw err;
    } finally {
      await context.close();
    }
  });
});
