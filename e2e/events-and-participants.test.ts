import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { screenshotDir } from './helpers/browser.js';
import { setUpOwner, useServerAndBrowser } from './helpers/owner.js';



describe('events and participants in Chromium', () => {
  const env = useServerAndBrowser();

  test('an organiser creates an event and a field, fixes a refused participant, then finds them', async (t) => {
    const context = await env.browser().newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const shots = screenshotDir();
    try {
      await setUpOwner(page, env.server());
      await page.getByRole('link', { name: 'New event' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Lyon Summit');
      await page.getByLabel('Starts').fill('2026-09-14T09:00');
      await page.getByLabel('Ends').fill('2026-09-15T18:00');
      await page.getByLabel('Venue').fill('Cité Internationale');
      await page.getByRole('button', { name: 'Create event' }).click();
      await page.waitForURL(/\/events\/[0-9a-z]{26}\?done=created$/);
      assert.ok(await page.getByText('Mon, 14 Sept 2026, 09:00').isVisible(), 'the dashboard shows the time as typed, in Europe/Paris');
      await page.screenshot({ path: join(shots, 'event-dashboard.png'), fullPage: true });

      await page.getByRole('link', { name: 'Custom fields' }).click();
      await page.getByLabel('Key').fill('diet');
      await page.getByLabel('Label').fill('Diet');
      await page.getByLabel('Type').selectOption('single_choice');
      await page.getByLabel('Options, one per line').fill('None\nVegetarian\nVegan');
      await page.getByRole('button', { name: 'Add field' }).click();
      await page.waitForURL(/\/fields\?done=created$/);

      await page.getByRole('link', { name: 'Participants' }).first().click();
      await page.getByRole('link', { name: 'Add a participant' }).click();
      // The browser's own check would stop a malformed address; the server's refusal is what we test.
      await page.locator('form.card').evaluate((form) => form.setAttribute('novalidate', ''));
      await page.getByLabel('Email *').fill('jose at example');
      await page.getByLabel('First name').fill('José');
      await page.getByLabel('Last name').fill('García');
      await page.getByLabel('Diet').selectOption('Vegan');
      await page.getByRole('button', { name: 'Add participant' }).click();
      assert.ok(await page.getByRole('alert').isVisible());
      assert.equal(await page.getByLabel('First name').inputValue(), 'José', 'what was typed is still there');
      assert.equal(await page.getByLabel('Diet').inputValue(), 'Vegan');
      await page.screenshot({ path: join(shots, 'participant-refused.png'), fullPage: true });

      await page.getByLabel('Email *').fill('jose@example.org');
      await page.getByRole('button', { name: 'Add participant' }).click();
      await page.waitForURL(/\/participants\/[0-9a-z]{26}\?done=created$/);
      assert.ok(await page.getByRole('heading', { name: 'José García' }).isVisible());

      await page.getByRole('link', { name: 'Participants' }).first().click();
      await page.getByLabel('Search').fill('garcia');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/q=garcia/);
      assert.ok(await page.getByRole('link', { name: 'García, José' }).isVisible(), 'found without the accent');
      await page.screenshot({ path: join(shots, 'participants-list.png'), fullPage: true });
      t.diagnostic(`screenshots in ${shots}`);
    } catch (err) {
      const shot = join(shots, 'events-failure.png');
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      t.diagnostic(`failure screenshot: ${shot} at ${page.url()}\n${env.server().output()}`);
      throw err;
    } finally {
      await context.close();
    }
  });
});
