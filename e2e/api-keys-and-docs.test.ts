import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { screenshotDir } from './helpers/browser.js';
import { setUpOwner, useServerAndBrowser, type Owner } from './helpers/owner.js';

const OWNER: Owner = { organisation: 'Integrations Org', name: 'Ivy Integrator', email: 'ivy@example.org', password: 'correct horse battery' };

describe('API keys and API docs in Chromium', () => {
  const env = useServerAndBrowser();

  test('an owner creates a key that works once copied, revokes it, and reads the API docs without external resources', async (t) => {
    const context = await env.browser().newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(env.server().url) && !request.url().startsWith('data:')) foreign.push(request.url());
    });
    try {
      await setUpOwner(page, env.server(), OWNER);

      await page.getByRole('link', { name: 'API keys' }).click();
      await page.getByLabel(/^Name/).fill('CRM sync');
      await page.getByRole('button', { name: 'Create key' }).click();
      const key = await page.getByLabel('API key').inputValue();
      assert.match(key, /^tsr_apikey_[a-z2-7]{39}$/);
      await page.screenshot({ path: join(screenshotDir(), 'api-key-created.png'), fullPage: true });

      const call = () => fetch(`${env.server().url}/api/v1/events`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal((await call()).status, 200, 'the copied key works');

      await page.goto(page.url());
      assert.equal(await page.getByLabel('API key').count(), 0, 'shown once: reloading the list does not show it again');
      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.getByText('Revoked.').waitFor();
      assert.equal((await call()).status, 401, 'revoked at once');

      await page.goto(`${env.server().url}/api/docs`);
      await page.locator('.swagger-ui .info .title').getByText('Tessera API').waitFor();
      await page.locator('.opblock-summary-path', { hasText: '/api/v1/events/{eventId}/participants/bulk' }).waitFor();
      assert.deepEqual(foreign, [], 'nothing loaded from outside');
      const shot = join(screenshotDir(), 'api-docs.png');
      await page.screenshot({ path: shot, fullPage: false });
      t.diagnostic(`screenshot: ${shot}`);
    } catch (err) {
      const shot = join(screenshotDir(), 'api-keys-failure.png');
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      t.diagnostic(`failure screenshot: ${shot} at ${page.url()}\n${env.server().output()}`);
      throw err;
    } finally {
      await context.close();
    }
  });
});
