/**
 * A small HTML scanner for deriving text templates: it says where each stretch of a template's
 * HTML sits (text inside which elements, which attribute of which element, or tag syntax and
 * comments) and where each link starts and ends. It does not build a tree and does not model the
 * implicit closing rules of real HTML parsing: callers use it to refuse templates whose
 * structure they cannot reason about, so when it is unsure the answer is "other".
 */

export interface OpenElement {
  name: string;
  id: number;
}

export type Where =
  | { kind: 'text'; stack: readonly OpenElement[] }
  | { kind: 'attr'; element: string; name: string; quoted: boolean; id: number }
  /** A comment, or script and style content: never printed. */
  | { kind: 'comment' }
  | { kind: 'other' };

export interface Segment {
  start: number;
  end: number;
  where: Where;
}

export interface Anchor {
  /** `<a` */
  start: number;
  /** Just after the start tag's `>`. */
  openEnd: number;
  /** `</a` of the matching end tag, and just after its `>`; null when never closed. */
  close: number | null;
  end: number | null;
  href: { raw: string; quote: string } | null;
}

export interface HtmlScan {
  segments: Segment[];
  anchors: Anchor[];
  /** A link opened inside another, or a start tag that never ends. */
  malformed: boolean;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
// As htmlparser2 (html-to-text's parser) reads them, content runs to the matching end tag whatever
// it contains: never printed (script, style), or text with entities decoded (title, textarea).
const RAW_TEXT = new Set(['script', 'style']);
const ESCAPABLE_RAW_TEXT = new Set(['title', 'textarea']);
const START_TAG = /<([a-zA-Z][^\t\n\f\r />]*)/y;
const END_TAG = /<\/([a-zA-Z][^\t\n\f\r />]*)[^>]*>/y;
const SPACE = /[\t\n\f\r /]*/y;
const ATTR_NAME = /[^\t\n\f\r />][^\t\n\f\r />=]*/y;
const EQUALS = /[\t\n\f\r ]*=[\t\n\f\r ]*/y;
const UNQUOTED = /[^\t\n\f\r >]*/y;

function match(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

export function scanHtml(html: string): HtmlScan {
  const segments: Segment[] = [];
  const anchors: Anchor[] = [];
  const stack: OpenElement[] = [];
  let malformed = false;
  let ids = 0;
  let textStart = 0;
  const add = (start: number, end: number, where: Where) => {
    if (end > start) segments.push({ start, end, where });
  };

  /** Reads a start tag from `<`; returns the position after it, or -1 when it never ends. */
  function startTag(at: number, name: string): number {
    const element = name.toLowerCase();
    const anchor: Anchor | null = element === 'a' ? { start: at, openEnd: -1, close: null, end: null, href: null } : null;
    let p = at + 1 + name.length;
    add(at, p, { kind: 'other' });
    for (;;) {
      const gap = match(SPACE, html, p)![0];
      add(p, p + gap.length, { kind: 'other' });
      p += gap.length;
      if (p >= html.length) return -1;
      if (html[p] === '>') break;
      const attr = match(ATTR_NAME, html, p)![0];
      add(p, p + attr.length, { kind: 'other' });
      p += attr.length;
      const eq = match(EQUALS, html, p);
      if (!eq) continue;
      add(p, p + eq[0].length, { kind: 'other' });
      p += eq[0].length;
      const quote = html[p] === '"' || html[p] === "'" ? html[p]! : '';
      const valueStart = p + quote.length;
      const valueEnd = quote ? html.indexOf(quote, valueStart) : valueStart + match(UNQUOTED, html, valueStart)![0].length;
      if (valueEnd === -1) return -1;
      const where: Where = { kind: 'attr', element, name: attr.toLowerCase(), quoted: quote !== '', id: ids++ };
      add(valueStart, valueEnd, where);
      if (anchor && where.name === 'href' && !anchor.href) anchor.href = { raw: html.slice(valueStart, valueEnd), quote: quote || '"' };
      p = valueEnd + quote.length;
    }
    const selfClosing = html[p - 1] === '/';
    add(p, p + 1, { kind: 'other' });
    p += 1;
    if (anchor) {
      if (stack.some((e) => e.name === 'a')) malformed = true;
      anchor.openEnd = p;
      anchors.push(anchor);
    }
    if (RAW_TEXT.has(element) || ESCAPABLE_RAW_TEXT.has(element)) {
      const close = html.toLowerCase().indexOf(`</${element}`, p);
      const end = close === -1 ? html.length : close;
      const inside = [...stack, { name: element, id: ids++ }];
      add(p, end, RAW_TEXT.has(element) ? { kind: 'comment' } : { kind: 'text', stack: inside });
      return end;
    }
    if (!VOID.has(element) && !selfClosing) stack.push({ name: element, id: ids++ });
    return p;
  }

  function endTag(at: number, name: string, end: number): void {
    const element = name.toLowerCase();
    add(at, end, { kind: 'other' });
    const index = stack.map((e) => e.name).lastIndexOf(element);
    if (index === -1) return;
    stack.length = index;
    if (element === 'a') {
      const anchor = anchors.at(-1);
      if (anchor && anchor.close === null) Object.assign(anchor, { close: at, end });
    }
  }

  let i = 0;
  for (;;) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    const text = (end: number) => add(textStart, end, { kind: 'text', stack: [...stack] });
    let next: number;
    const start = match(START_TAG, html, lt);
    const end = start ? null : match(END_TAG, html, lt);
    if (html.startsWith('<!--', lt)) {
      text(lt);
      const close = html.indexOf('-->', lt + 4);
      next = close === -1 ? html.length : close + 3;
      add(lt, next, { kind: 'comment' });
    } else if (html[lt + 1] === '!' || html[lt + 1] === '?') {
      text(lt);
      const close = html.indexOf('>', lt);
      next = close === -1 ? html.length : close + 1;
      add(lt, next, { kind: 'other' });
    } else if (start) {
      text(lt);
      next = startTag(lt, start[1]!);
      if (next === -1) {
        malformed = true;
        add(lt, html.length, { kind: 'other' });
        next = html.length;
      }
    } else if (end) {
      text(lt);
      next = lt + end[0].length;
      endTag(lt, end[1]!, next);
    } else {
      i = lt + 1;
      continue;
    }
    i = textStart = next;
  }
  add(textStart, html.length, { kind: 'text', stack: [...stack] });
  return { segments, anchors, malformed };
}

/** The segment holding position `at` (segments are sorted and do not overlap). */
export function whereAt(scan: HtmlScan, at: number): Where {
  let lo = 0;
  let hi = scan.segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const segment = scan.segments[mid]!;
    if (at < segment.start) hi = mid - 1;
    else if (at >= segment.end) lo = mid + 1;
    else return segment.where;
  }
  return { kind: 'other' };
}
