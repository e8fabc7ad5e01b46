import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { freePort, startServer, type RunningServer } from './server.js';

export interface Owner {
  organisation: string;
  name: string;
  email: string;
  password: string;
}

export const OWNER: Owner = { organisation: 'Acme Events', name: 'Olive Owner', email: 'olive@example.org', password: 'correct horse battery' };
export const EVENTS_PAGE = /\/admin\/o\/([^/?#]+)\/events$/;

/**
 * A real server and a Chromium for the enclosing describe(), stopped after it. `mailbox`: the
 * server runs its own local mail sink on a free port, so its Mailbox page shows what it sent
 * (tests that read emails need it; two servers on the default port would share one sink).
 */
export function useServerAndBrowser(options: { mailbox?: boolean } = {}): { server: () => RunningServer; browser: () => Browser } {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    server = await startServer(options.mailbox ? { env: { TESSERA_SMTP_SINK_PORT: String(await freePort()) } } : {});
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  return { server: () => server!, browser: () => browser! };
}

/** A real server (with its own mail sink when `mailbox`) and a Chromium, for a describe()'s before(). */
export async function startServerAndBrowser(options: { mailbox?: boolean } = {}): Promise<{ server: RunningServer; browser: Browser }> {
  const server = await startServer(options.mailbox ? { env: { TESSERA_SMTP_SINK_PORT: String(await freePort()) } } : {});
  return { server, browser: await launchBrowser() };
}

/** Opens the printed one-time setup link and creates the organisation and its owner. */
export async function setUpOwner(page: Page, server: RunningServer, owner: Owner = OWNER, link?: string): Promise<string> {
  await page.goto(link ?? (await server.setupLink()));
  await page.getByLabel('Organisation name').fill(owner.organisation);
  await page.getByLabel('Your name').fill(owner.name);
  await page.getByLabel('Your email').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await page.waitForURL(EVENTS_PAGE);
  return page.url();
}
