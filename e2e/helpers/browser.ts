import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core (which never downloads a browser of its own). The
 * background-networking flags keep it from calling out to Google's hosts, which this network refuses.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Where screenshots go: E2E_SCREENSHOT_DIR if set, otherwise a fresh temporary directory. */
export function screenshotDir(): string {
  const dir = process.env.E2E_SCREENSHOT_DIR;
  if (!dir) return mkdtempSync(join(tmpdir(), 'tessera-e2e-shots-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}
