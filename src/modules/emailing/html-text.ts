import { createRequire } from 'node:module';
import type * as HtmlToText from 'html-to-text';

// Loaded on first use: html-to-text costs ~10 MB of resident memory, and a server that sends no
// mail (or only hand-written text parts) never needs it.
let convert: ((html: string) => string) | null = null;

/**
 * The plain-text part generated from an HTML body; the worker and the preview share it.
 * Lines are not wrapped: where html-to-text breaks a line depends on the length of the values in
 * it, which would keep the text part from being derived once per template (text-derivation.ts),
 * and mail clients wrap long lines of plain text themselves.
 */
export function htmlToText(html: string): string {
  if (!convert) {
    const { compile } = createRequire(import.meta.url)('html-to-text') as typeof HtmlToText;
    convert = compile({
      wordwrap: false,
      selectors: [
        { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
        { selector: 'img', format: 'skip' },
        ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
      ],
    });
  }
  return convert(html);
}
