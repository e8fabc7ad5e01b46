import { crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';

/**
 * The code as a picture. Level M (15% of the symbol may be damaged or dirty) keeps a 172-character
 * code at QR version 7, 45 modules a side; the 4-module quiet zone is what the standard asks for
 * and what phone scanners need next to a busy email or badge.
 */
const LEVEL = 'M';
const QUIET = 4;
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

// Our codes are all QR-alphanumeric: saying so spares qrcode its search for the best modes.
const segmentsOf = (text: string) => (ALPHANUMERIC.test(text) ? [{ data: text, mode: 'alphanumeric' as const }] : text);

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, body, crc]);
}

/**
 * A PNG of `scale` pixels a module (6: ~320 px, sharp in an email at 200 px on a dense screen).
 * Written here as a 1-bit greyscale image, a few kilobytes: qrcode's own PNG renderer (pngjs,
 * RGBA) took ~10 ms a code, more than everything else an email with a QR code costs together.
 */
export function qrPng(text: string, scale = 6): Buffer {
  const { size, data } = QRCode.create(segmentsOf(text), { errorCorrectionLevel: LEVEL }).modules;
  const width = (size + 2 * QUIET) * scale;
  const stride = 1 + Math.ceil(width / 8);
  // Every bit 1 (white) to start with; each row begins with filter byte 0 (none).
  const raw = Buffer.alloc(stride * width, 0xff);
  for (let y = 0; y < width; y++) raw[y * stride] = 0;
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!data[row * size + col]) continue;
      for (let dy = 0; dy < scale; dy++) {
        const line = ((row + QUIET) * scale + dy) * stride + 1;
        for (let dx = 0; dx < scale; dx++) {
          const x = (col + QUIET) * scale + dx;
          raw[line + (x >> 3)]! &= ~(0x80 >> (x & 7));
        }
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(width, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter method, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** An SVG to inline in a page: scales to any size without blurring. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(segmentsOf(text), { errorCorrectionLevel: LEVEL, margin: QUIET, type: 'svg' });
}
