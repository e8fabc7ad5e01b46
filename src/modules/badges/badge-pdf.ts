import { PassThrough, type Readable } from 'node:stream';
import PDFDocument from 'pdfkit';
import QRCode, { type QRCodeSegment } from 'qrcode';
import { MIN_FONT_SIZE, PAGE_SIZES, QR_SIZES, type BadgeLayout } from './badge.types.js';

/** One printed line: the text already read from the participant, with its layout settings. */
export interface BadgeLine {
  text: string;
  size: number;
  bold: boolean;
}

export interface BadgeContent {
  lines: BadgeLine[];
  qrText: string;
}

const MM = 72 / 25.4;
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;
const MARGIN = 6 * MM;
const LINE_HEIGHT = 1.2;
// Characters outside WinAnsi beyond Latin-1 that the standard PDF fonts still carry.
const WIN_ANSI_EXTRA = new Set([402, 8211, 8212, 8216, 8217, 8218, 8220, 8221, 8222, 8224, 8225, 8226, 8230, 8364, 8240, 8249, 8250, 710, 8482, 338, 339, 732, 352, 353, 376, 381, 382]);

// Latin letters with a stroke do not decompose into base + accent; their closest plain letter.
const STROKED: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŧ: 'T', ŧ: 't' };

function printable(code: number): boolean {
  return (code >= 32 && code <= 126) || (code >= 160 && code <= 255) || WIN_ANSI_EXTRA.has(code);
}

/**
 * The standard PDF fonts (no font file to ship or embed, so 1,000 badges stay small) only carry
 * WinAnsi: an accent they lack is dropped (ő -> o, Ł -> L) rather than printed as a blank box, and any
 * other character becomes "?".
 */
export function toWinAnsi(text: string): string {
  let out = '';
  for (const char of text.replace(/\s+/g, ' ')) {
    if (printable(char.codePointAt(0)!)) out += char;
    else {
      const base = STROKED[char] ?? char.normalize('NFD').replace(/\p{M}/gu, '');
      out += base && [...base].every((c) => printable(c.codePointAt(0)!)) ? base : '?';
    }
  }
  return out.trim();
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where the text block and the QR code go on the page. */
function geometry(layout: BadgeLayout): { text: Box; qr: Box } {
  const page = PAGE_SIZES[layout.pageSize];
  const inner = { width: page.width - 2 * MARGIN, height: page.height - 2 * MARGIN };
  if (layout.qrPosition === 'right') {
    const side = Math.min(QR_SIZES[layout.qrSize], inner.height, inner.width * 0.5);
    return {
      text: { x: MARGIN, y: MARGIN, width: inner.width - side - MARGIN, height: inner.height },
      qr: { x: page.width - MARGIN - side, y: (page.height - side) / 2, width: side, height: side },
    };
  }
  const side = Math.min(QR_SIZES[layout.qrSize], inner.width, inner.height * 0.6);
  return {
    text: { x: MARGIN, y: MARGIN, width: inner.width, height: inner.height - side - MARGIN / 2 },
    qr: { x: (page.width - side) / 2, y: page.height - MARGIN - side, width: side, height: side },
  };
}

function fontOf(line: BadgeLine): string {
  return line.bold ? 'Helvetica-Bold' : 'Helvetica';
}

/**
 * Each line at its size, shrunk when too wide for the badge (a long company name stays on one
 * line), and the whole block scaled down when it is too tall; what still does not fit is cut
 * with an ellipsis by pdfkit.
 */
function drawLines(doc: PDFKit.PDFDocument, lines: BadgeLine[], box: Box): void {
  const fitted = lines.map((line) => {
    doc.font(fontOf(line)).fontSize(line.size);
    const width = doc.widthOfString(line.text);
    const size = width > box.width ? Math.max(MIN_FONT_SIZE, Math.floor((line.size * box.width) / width)) : line.size;
    return { ...line, size };
  });
  const total = fitted.reduce((sum, line) => sum + line.size * LINE_HEIGHT, 0);
  const scale = total > box.height ? box.height / total : 1;
  let y = box.y + Math.max(0, (box.height - total * scale) / 2);
  for (const line of fitted) {
    const size = Math.max(MIN_FONT_SIZE, line.size * scale);
    if (y + size > box.y + box.height + 0.5) break;
    doc.font(fontOf(line)).fontSize(size).text(line.text, box.x, y, { width: box.width, align: 'center', lineBreak: false, ellipsis: true });
    y += size * LINE_HEIGHT;
  }
}

/**
 * The QR code as vector rectangles (one run of dark modules per rectangle, one fill): sharp at
 * any printer resolution and far smaller than an image per badge. The page margin around it is
 * wider than the four-module quiet zone scanners need.
 */
function drawQr(doc: PDFKit.PDFDocument, text: string, box: Box): void {
  // One explicit segment: the QR text is alphanumeric by design, and letting qrcode search the
  // optimal mix of modes (a shortest-path over the text) cost more than drawing the badge.
  const segment: QRCodeSegment = ALPHANUMERIC.test(text) ? { mode: 'alphanumeric', data: text } : { mode: 'byte', data: Buffer.from(text) };
  const code = QRCode.create([segment], { errorCorrectionLevel: 'M' });
  const { size, data } = code.modules;
  const module = box.width / size;
  // A hair of overlap between rows so renderers do not show seams between modules.
  const bleed = module * 0.02;
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!data[row * size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && data[row * size + col]) col++;
      doc.rect(box.x + start * module, box.y + row * module, (col - start) * module, module + bleed);
    }
  }
  doc.fill('#000000');
}

function drawBadge(doc: PDFKit.PDFDocument, layout: BadgeLayout, badge: BadgeContent): void {
  const page = PAGE_SIZES[layout.pageSize];
  doc.addPage({ size: [page.width, page.height], margin: 0 });
  const { text, qr } = geometry(layout);
  doc.fillColor('#000000');
  drawLines(doc, badge.lines.filter((line) => line.text !== ''), text);
  drawQr(doc, badge.qrText, qr);
}

function drainedOrClosed(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/**
 * A PDF byte stream, one page per badge, drawn only as fast as the client reads: pdfkit writes
 * each finished page out at once, and the next badge (and its database read) waits while the
 * response buffer is full, so memory stays flat however long the list. An error mid-way destroys
 * the stream, which aborts the download rather than ending a truncated file normally.
 */
export function badgePdfStream(layout: BadgeLayout, badges: AsyncIterable<BadgeContent>, title: string): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const doc = new PDFDocument({ autoFirstPage: false, margin: 0, info: { Title: title, Creator: 'Tessera' } });
  doc.on('data', (chunk: Buffer) => out.write(chunk));
  doc.on('end', () => out.end());
  doc.on('error', (error: Error) => out.destroy(error));
  void (async () => {
    try {
      for await (const badge of badges) {
        if (out.destroyed) return;
        drawBadge(doc, layout, { lines: badge.lines.map((line) => ({ ...line, text: toWinAnsi(line.text) })), qrText: badge.qrText });
        // Wait for the client when its buffer is full; otherwise still give the event loop a
        // turn, since with SQLite every await above resolves at once: without it pdfkit's output
        // (flowing on the next tick) and every other request would wait for the last badge.
        if (out.writableNeedDrain) await drainedOrClosed(out);
        else await new Promise((resolve) => setImmediate(resolve));
      }
      doc.end();
    } catch (error) {
      out.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return out;
}
