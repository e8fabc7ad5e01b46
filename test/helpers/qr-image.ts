import { createRequire } from 'node:module';
import type { QRCode } from 'jsqr';

// Both are CommonJS: jsQR's UMD build, and pngjs (which qrcode draws its PNGs with). A test
// needs jsQR's decoder and pngjs's synchronous reader.
const require = createRequire(import.meta.url);
const jsQR = require('jsqr') as (data: Uint8ClampedArray, width: number, height: number) => QRCode | null;
const { PNG } = require('pngjs') as { PNG: { sync: { read(png: Buffer): { width: number; height: number; data: Buffer } } } };

/** What a phone scanner would read from this PNG: the QR code's text, or null when none is found. */
export function decodeQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return jsQR(pixels, image.width, image.height)?.data ?? null;
}
