/**
 * The render-time half of a derived text template (text-derivation.ts): the text engine's output
 * check and the settling of the marks the derived template leaves where Liquid tags and links were.
 *
 * Marks, all in the Private Use Area (a template containing such characters is never derived, and
 * a value containing one sends the message down the per-message path):
 * - GAP: where a Liquid tag, or the edge of a link, was. Zero width; the spaces and blank lines
 *   around it are settled the way html-to-text settles whitespace around an element that renders
 *   nothing, because that is what a tag that renders nothing was in the HTML.
 * - a link: LINK_<category> inner HREF href LINK_END. What html-to-text prints for a link depends
 *   on its text and href (hidden when they are equal, no brackets when the text is empty), so it is
 *   decided here per message; a link that would now print in another shape than the derived
 *   template was laid out for makes the message take the per-message path.
 */

export const GAP = '\uE002';
export const LINK = { visible: '\uE003', bare: '\uE006', none: '\uE007' } as const;
export type LinkCategory = keyof typeof LINK;
export const HREF = '\uE004';
export const LINK_END = '\uE005';
const DROP = '\uE00F';

const NOT_WORD = /[ \t\r\n\f\u200b\uE002]+/g;
const REGION = /([\uE003\uE006\uE007])([^\uE004]*)\uE004([^\uE005]*)\uE005/g;
// Outside what html-to-text would print unchanged: control characters, its whitespace other than
// a single space, the Private Use Area (our marks), and runs of spaces.
const UNSETTLED_VALUE = /[\u0000-\u001f\u007f\u200b\uE000-\uF8FF]| {2}/; // eslint-disable-line no-control-regex

/**
 * A value html-to-text would print exactly as given wherever it sits: not empty, no whitespace at
 * its edges (which html-to-text merges with its neighbours'), no line breaks or runs of spaces.
 */
export function settledValue(value: string): boolean {
  return value.length > 0 && value[0] !== ' ' && value[value.length - 1] !== ' ' && !UNSETTLED_VALUE.test(value);
}

/** html-to-text's anchor formatter (hideLinkHrefIfSameAsText, noAnchorUrl): which shape a link prints in. */
export function linkCategory(inner: string, href: string): LinkCategory {
  const words = inner.replace(NOT_WORD, '');
  if (!href || href[0] === '#' || words === href) return 'none';
  return words === '' ? 'bare' : 'visible';
}

function settleLinks(text: string): string | null {
  let failed = false;
  const settled = text.replace(REGION, (_, mark: string, inner: string, rawHref: string) => {
    const href = rawHref.replace(/^mailto:/, '');
    const category = linkCategory(inner, href);
    if (LINK[category] !== mark) failed = true;
    return category === 'visible' ? `${inner} [${href}]` : category === 'bare' ? inner + href : inner;
  });
  return failed ? null : settled;
}

/** html-to-text prints no spaces at a line's end or after its indentation, and never two in a row. */
function settleGap(run: string, at: number, whole: string): string {
  const lineStart = at === 0 || whole[at - 1] === '\n';
  const end = at + run.length;
  const lineEnd = end === whole.length || whole[end] === '\n';
  if (lineStart && lineEnd) return DROP;
  if (lineStart) return run.slice(0, run.indexOf(GAP));
  if (lineEnd) return '';
  return run.includes(' ') ? ' ' : '';
}

/** Each run of spaces and gaps holding at least one gap, settled (a hand-written scan: a regular expression trying every space is slower). */
function settleGaps(text: string): string {
  let out = '';
  let last = 0;
  for (let gap = text.indexOf(GAP); gap !== -1; gap = text.indexOf(GAP, last)) {
    let start = gap;
    while (start > last && text[start - 1] === ' ') start -= 1;
    let end = gap + 1;
    while (end < text.length && (text[end] === ' ' || text[end] === GAP)) end += 1;
    out += text.slice(last, start) + settleGap(text.slice(start, end), start, text);
    last = end;
  }
  return out + text.slice(last);
}

/**
 * Removes lines that held only tags: the line breaks on both sides of such a line merge into the
 * larger of the two, as html-to-text merges the breaks of two blocks with nothing between them;
 * breaks before the first and after the last line of text go, as html-to-text trims them.
 */
function dropLines(text: string): string {
  const lines = text.split('\n');
  let result = '';
  let merged = 0;
  let breaks = 0;
  let started = false;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (i > 0) breaks += 1;
    if (line === DROP) {
      merged = Math.max(merged, breaks);
      breaks = 0;
    } else if (line !== '') {
      if (started) result += '\n'.repeat(Math.max(merged, breaks));
      result += line;
      started = true;
      merged = 0;
      breaks = 0;
    }
  }
  return result;
}

/** The rendered derived template as html-to-text would have printed it, or null to convert per message. */
export function settleText(text: string): string | null {
  const linked = text.includes(HREF) ? settleLinks(text) : text;
  if (linked === null) return null;
  const gapped = settleGaps(linked);
  return gapped.includes(DROP) ? dropLines(gapped) : gapped;
}
