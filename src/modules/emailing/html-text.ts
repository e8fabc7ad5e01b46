import { createRequire } from 'node:module';
import type * as HtmlToText from 'html-to-text';

// Loaded on first use: html-to-text costs ~10 MB of resident memory, and a server that sends no
// mail (or only hand-written text parts) never needs it.
let convert: ((html: string) => string) | null = null;

/** The plain-text part generated from an HTML body; the worker and the preview share it. */
export function htmlToText(html: string): string {
  if (!convert) {
    const { compile } = createRequire(import.meta.url)('html-to-text') as typeof HtmlToText;
    convert = compile({
      wordwrap: 78,
      selectors: [
        { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
        { selector: 'img', format: 'skip' },
        ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
      ],
    });
  }
  return convert(html);
}
