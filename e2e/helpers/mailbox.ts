import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { RunningServer } from './server.js';

/**
 * Opens the newest message to `email` with `subject` in the Mailbox page of the server's own
 * SMTP sink (as a signed-in staff member), reloading until the worker has delivered it.
 */
export async function openMailboxMessage(page: Page, server: RunningServer, email: string, subject: string): Promise<void> {
  await page.goto(`${server.url}/admin/mailbox`);
  const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: email, exact: true }) }).filter({ hasText: subject });
  for (const until = Date.now() + 20_000; (await row.count()) === 0; ) {
    assert.ok(Date.now() < until, `a mail "${subject}" to ${email} in the Mailbox`);
    await page.waitForTimeout(300);
    await page.reload();
  }
  await row.first().getByRole('link', { name: subject }).click();
  await page.waitForURL(/\/admin\/mailbox\/[0-9a-z]{26}$/);
}

/** The address of a link in the open message's HTML part. */
export async function mailLinkHref(page: Page, name: string): Promise<string> {
  const href = await page.frameLocator('iframe.mail-html').getByRole('link', { name }).getAttribute('href');
  assert.ok(href, `a link "${name}" in the message`);
  return href;
}
