import { createRequire } from 'node:module';
import jsQR from 'jsqr';

// pngjs comes with qrcode (which draws PNGs with it); a test only needs its synchronous reader.
const { PNG } = createRequire(import.meta.url)('pngjs') as { PNG: { sync: { read(png: Buffer): { width: number; height: number; data: Buffer } } } };

/** What a phone scanner would read from this PNG: the QR code's text, or null when none is found. */
export function decodeQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return jsQR(pixels, image.width, image.height)?.data ?? null;
}
