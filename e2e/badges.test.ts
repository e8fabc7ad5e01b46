import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Download, Page } from 'playwright-core';
import { loadConfig, serverKeys } from '../src/config.js';
import { connect } from '../src/db/connection.js';
import { checkQr } from '../src/modules/qr-codes/index.js';
import { screenshotDir } from './helpers/browser.js';
import { setUpOwner, useServerAndBrowser } from './helpers/owner.js';

// A badge as an organiser prints it and a door scanner reads it: the organiser makes a label
// layout in the editor (no JavaScript needed), downloads a sample, then downloads a participant's
// badge from their page. The PDF is rendered in Chromium by pdf.js (as a browser's viewer does),
// the canvas pixels are decoded with jsQR, and the decoded text is checked online with the QR
// codes module: the printed code is that participant's valid check-in credential.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATE = new Date(Date.now() + 30 * 24 * 3_600_000).toISOString().slice(0, 10);

/** Everything the render page loads, from node_modules and the downloaded PDF; nothing from the network. */
function staticServer(pdf: Buffer): Promise<Server & { url: string }> {
  const files: Record<string, [string, () => Buffer]> = {
    '/render.html': ['text/html', () => Buffer.from(RENDER_PAGE)],
    '/pdf.min.mjs': ['text/javascript', () => readFileSync(join(ROOT, 'node_modules/pdfjs-dist/build/pdf.min.mjs'))],
    '/pdf.worker.min.mjs': ['text/javascript', () => readFileSync(join(ROOT, 'node_modules/pdfjs-dist/build/pdf.worker.min.mjs'))],
    '/jsQR.js': ['text/javascript', () => readFileSync(join(ROOT, 'node_modules/jsqr/dist/jsQR.js'))],
    '/badge.pdf': ['application/pdf', () => pdf],
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const fontFile = /^\/standard_fonts\/([A-Za-z0-9_.-]+)$/.exec(path)?.[1];
    const file = fontFile ? (['application/octet-stream', () => readFileSync(join(ROOT, 'node_modules/pdfjs-dist/standard_fonts', fontFile))] as const) : files[path];
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': file[0] }).end(file[1]());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(Object.assign(server, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))),
  );
}

// Renders page 1 at 4x (about 290 dpi) on a white canvas and reads the QR from its pixels.
const RENDER_PAGE = `<!doctype html>
<meta charset="utf-8"><title>render</title>
<canvas id="page"></canvas>
<script src="/jsQR.js"></script>
<script type="module">
import * as pdfjs from '/pdf.min.mjs';
pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.min.mjs';
try {
  const doc = await pdfjs.getDocument({ url: '/badge.pdf', isEvalSupported: false, standardFontDataUrl: '/standard_fonts/' }).promise;
  const page = await doc.getPage(1);
  const viewport = page.getViewport({ scale: 4 });
  const canvas = document.getElementById('page');
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvasContext: ctx, viewport }).promise;
  const text = (await page.getTextContent()).items.map((item) => item.str).join(' ');
  const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const code = jsQR(image.data, image.width, image.height);
  window.rendered = { pages: doc.numPages, text, qr: code ? code.data : null };
} catch (error) {
  window.rendered = { error: String(error) };
}
</script>`;

interface Rendered {
  pages?: number;
  text?: string;
  qr?: string | null;
  error?: string;
}

async function renderInBrowser(page: Page, pdf: Buffer, shot: string): Promise<Rendered> {
  const files = await staticServer(pdf);
  try {
    await page.goto(`${files.url}/render.html`);
    await page.waitForFunction(() => 'rendered' in window, undefined, { timeout: 30_000 });
    await page.locator('#page').screenshot({ path: shot });
    return (await page.evaluate(() => (window as unknown as { rendered: Rendered }).rendered)) as Rendered;
  } finally {
    await new Promise((resolve) => files.close(resolve));
  }
}

async function bytesOf(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFileSync(path);
}

describe('badges in Chromium', () => {
  const env = useServerAndBrowser();

  test("a participant's badge PDF downloads, renders, and its QR code is their valid check-in code", async () => {
    const context = await env.browser().newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const shots = screenshotDir();
    try {
      await setUpOwner(page, env.server());
      await page.getByRole('link', { name: 'New event' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Badge Expo');
      await page.getByLabel('Starts').fill(`${DATE}T09:00`);
      await page.getByLabel('Ends').fill(`${DATE}T18:00`);
      await page.getByRole('button', { name: 'Create event' }).click();
      const [, orgId, eventId] = /\/admin\/o\/([^/]+)\/events\/([^/?#]+)/.exec(page.url())!;

      await page.getByRole('link', { name: 'Custom fields' }).click();
      await page.getByLabel('Key').fill('company');
      await page.getByLabel('Label').fill('Company');
      await page.getByRole('button', { name: 'Add field' }).click();

      await page.getByRole('link', { name: 'Participants' }).first().click();
      await page.getByRole('link', { name: 'Add a participant' }).click();
      await page.getByLabel('Email *').fill('ada@example.org');
      await page.getByLabel('First name').fill('Ada');
      await page.getByLabel('Last name').fill('Lovelace');
      await page.getByLabel('Company').fill('Analytical Engines');
      await page.getByRole('button', { name: 'Add participant' }).click();
      await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
      const participantId = /\/participants\/([0-9a-z]{26})/.exec(page.url())![1]!;

      // A label layout made in the editor, its sample downloaded before and after saving.
      await page.getByRole('link', { name: 'Badges' }).click();
      await page.getByRole('link', { name: 'New layout' }).click();
      await page.getByLabel('Name').fill('Labels 100 x 70');
      await page.getByLabel('Label 100 × 70 mm').check();
      await page.getByLabel('Right of the text').check();
      assert.equal(await page.getByLabel('Field of line 3').inputValue(), 'field:company', 'the company field is offered pre-filled');
      const sample = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download a sample PDF' }).click();
      const sampleBytes = await bytesOf(await sample);
      assert.equal(sampleBytes.subarray(0, 5).toString(), '%PDF-');
      await page.getByRole('button', { name: 'Create layout' }).click();
      await page.getByText('Created.').waitFor();
      await page.screenshot({ path: join(shots, 'badge-layout-editor.png'), fullPage: true });

      await page.goto(`${env.server().url}/admin/o/${orgId}/events/${eventId}/participants/${participantId}`);
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Badge (PDF)' }).click();
      const badge = await download;
      assert.match(badge.suggestedFilename(), /-badge-[0-9a-z]{26}\.pdf$/);
      const pdf = await bytesOf(badge);
      writeFileSync(join(shots, 'badge.pdf'), pdf);

      const rendered = await renderInBrowser(await context.newPage(), pdf, join(shots, 'badge-page-1.png'));
      assert.equal(rendered.error, undefined);
      assert.equal(rendered.pages, 1);
      assert.match(rendered.text ?? '', /Ada.*Lovelace.*Analytical Engines/);
      assert.ok(rendered.qr, 'a QR code is found in the rendered page');
      assert.match(rendered.qr, /^[0-9A-Z $%*+\-./:]+$/, 'QR alphanumeric mode');

      const config = loadConfig({ NODE_ENV: 'test', TESSERA_DATA_DIR: env.server().dataDir, TESSERA_PUBLIC_URL: env.server().url });
      const handle = connect({ databaseUrl: null, dataDir: env.server().dataDir, poolSize: 1 });
      try {
        const verdict = await checkQr(handle.db, serverKeys(config), orgId!, eventId!, rendered.qr);
        assert.deepEqual(verdict.ok && verdict.participantId, participantId);
      } finally {
        await handle.close();
      }
    } finally {
      await context.close();
    }
  });
});
