import QRCode from 'qrcode';

/**
 * The code as a picture. Level M (15% of the symbol may be damaged or dirty) keeps a 172-character
 * code at QR version 7, 45 modules a side; the 4-module quiet zone is what the standard asks for
 * and what phone scanners need next to a busy email or badge.
 */
const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** A PNG of 6 pixels a module (~320 px): sharp in an email at 200 px, even on a dense screen. */
export function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { ...OPTIONS, type: 'png', scale: 6 });
}

/** An SVG to inline in a page: scales to any size without blurring. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { ...OPTIONS, type: 'svg' });
}
