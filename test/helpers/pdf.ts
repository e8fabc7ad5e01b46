import { getDocument, GlobalWorkerOptions, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Reads a PDF the way a viewer does (pdf.js, in-process) and returns each page's text, so tests
 * assert what a reader sees rather than what the bytes happen to look like.
 */
export interface PdfPage {
  text: string;
  /** In points. */
  width: number;
  height: number;
}

export async function pdfPages(bytes: Buffer): Promise<PdfPage[]> {
  GlobalWorkerOptions.workerSrc ||= new URL('../../node_modules/pdfjs-dist/legacy/build/pdf.worker.mjs', import.meta.url).href;
  const document = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, verbosity: VerbosityLevel.ERRORS }).promise;
  try {
    const pages: PdfPage[] = [];
    for (let n = 1; n <= document.numPages; n++) {
      const page = await document.getPage(n);
      const content = await page.getTextContent();
      const text = content.items.map((item) => ('str' in item ? item.str : '')).join(' ').replace(/\s+/g, ' ').trim();
      const [x0, y0, x1, y1] = page.view as [number, number, number, number];
      pages.push({ text, width: x1 - x0, height: y1 - y0 });
    }
    return pages;
  } finally {
    await document.destroy();
  }
}
