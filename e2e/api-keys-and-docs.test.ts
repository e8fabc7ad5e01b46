import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshotDir } from './helpers/browser.js';
import { startServer, type RunningServer } from './helpers/server.js';

const OWNER = { organisation: 'Integrations Org', name: 'Ivy Integrator', email: 'ivy@example.org', password: 'correct horse battery' };
const EVENTS_PAGE = /\/admin\/o\/([^/?#]+)\/events$/;

describe('API keys and API docs in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('an owner creates a key that works once copied, revokes it, and reads the API docs without external resources', async (t) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:')) foreign.push(request.url());
    });
    try {
      await page.goto(await server.setupLink());
      await page.getByLabel('Organisation name').fill(OWNER.organisation);
      await page.getByLabel('Your name').fill(OWNER.name);
      await page.getByLabel('Your email').fill(OWNER.email);
      await page.getByLabel('Password').fill(OWNER.password);
      await page.getByRole('button', { name: 'Create organisation' }).click();
      await page.waitForURL(EVENTS_PAGE);

      await page.getByRole('link', { name: 'API keys' }).click();
      await page.getByLabel(/^Name/).fill('CRM sync');
      await page.getByRole('button', { name: 'Create key' }).click();
      const key = await page.getByLabel('API key').inputValue();
      assert.match(key, /^tsr_apikey_[a-z2-7]{39}$/);
      await page.screenshot({ path: join(screenshotDir(), 'api-key-created.png'), fullPage: true });

      const call = () => fetch(`${server.url}/api/v1/events`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal((await call()).status, 200, 'the copied key works');

      await page.goto(page.url());
      assert.equal(await page.getByLabel('API key').count(), 0, 'shown once: reloading the list does not show it again');
      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.getByText('Revoked.').waitFor();
      assert.equal((await call()).status, 401, 'revoked at once');

      await page.goto(`${server.url}/api/docs`);
      await page.locator('.swagger-ui .info .title').getByText('Tessera API').waitFor();
      await page.locator('.opblock-summary-path', { hasText: '/api/v1/events/{eventId}/participants/bulk' }).waitFor();
      assert.deepEqual(foreign, [], 'nothing loaded from outside');
      const shot = join(screenshotDir(), 'api-docs.png');
      await page.screenshot({ path: shot, fullPage: false });
      t.diagnostic(`screenshot: ${shot}`);
    } catch (err) {
      const shot = join(screenshotDir(), 'api-keys-failure.png');
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      t.diagnostic(`failure screenshot: ${shot} at ${page.url()}\n${server.output()}`);
      throw err;
    } finally {
      await context.close();
    }
  });
});
