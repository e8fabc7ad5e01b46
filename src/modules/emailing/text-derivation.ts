import { createRequire } from 'node:module';
import type * as LiquidJs from 'liquidjs';
import type { Liquid, Template } from 'liquidjs';
import { htmlToText } from './html-text.js';
import { scanHtml, whereAt, type Anchor, type HtmlScan } from './html-scan.js';
import { compileFast, renderFast, type FastTemplate } from './liquid-fast.js';
import { globalVariables, htmlEngine, sandboxedEngine } from './liquid.js';
import { FIELDS_NAMESPACE } from './merge-tags.js';
import { GAP, HREF, LINK, LINK_END, linkCategory, settledValue, settleText, type LinkCategory } from './text-settle.js';

/**
 * The text part of a template without a written one, derived once per template version instead
 * of converting every rendered HTML body (html-to-text costs ~120 µs a message, most of a
 * campaign's rendering). html-to-text runs once over the HTML template with each Liquid output and
 * tag replaced by a unique placeholder; mapping the placeholders back gives a Liquid text template.
 *
 * The result must equal html-to-text over each rendered HTML body, so the approach is refused for
 * a template whose structure it cannot follow (tags in attributes other than a link's href, block
 * tags that open and close in different elements, tags that number list items, `pre`, raw text,
 * markup built from values ...) and then checked against html-to-text on probe values before it
 * is used. At render time a value that html-to-text would not print as given (empty, edge or
 * repeated whitespace, line breaks) sends that one message down the per-message path.
 */
export interface DerivedText {
  parsed: Template[];
  fast: FastTemplate | null;
  /** Whether it leaves marks to settle (it has tags or links with Liquid in them). */
  marked: boolean;
}

type Kind = 'output' | 'tag' | 'start' | 'end';
const DELIMITERS: Record<Kind, [string, string]> = {
  output: ['\uF000', '\uF001'],
  tag: ['\uF002', '\uF003'],
  start: ['\uF004', '\uF005'],
  end: ['\uF006', '\uF007'],
};
const KIND_OF: Record<string, Kind> = { '\uF000': 'output', '\uF002': 'tag', '\uF004': 'start', '\uF006': 'end' };
const PLACEHOLDER = /([\uF000\uF002\uF004\uF006])(\d+)[\uF001\uF003\uF005\uF007]/g;
const placeholder = (kind: Kind, n: number) => DELIMITERS[kind][0] + n + DELIMITERS[kind][1];

// Whitespace kept as written, or characters we use as placeholders and marks.
const UNSUPPORTED_SOURCE = /[\uE000-\uF8FF]|<(?:pre|textarea|listing|xmp|plaintext)\b/i;
// A placeholder right after these would, once replaced by a value, take part in a tag or an entity.
const MARKUP_BEFORE = /(?:<[!/]?-?|&[#a-zA-Z0-9]*)$/;
const BLOCKS: Record<string, string> = { if: 'endif', unless: 'endunless', case: 'endcase', for: 'endfor' };
const BRANCHES = new Set(['elsif', 'else', 'when']);
// Tags that print nothing themselves; any other (capture, cycle, echo, raw, liquid ...) is refused.
const INERT = new Set(['assign', 'break', 'continue', '#']);

interface Source {
  html: string;
  outputs: string[];
  tags: Array<{ liquid: string; group: number }>;
}

let liquidModule: typeof LiquidJs | null = null;
const liquidjs = () => (liquidModule ??= createRequire(import.meta.url)('liquidjs') as typeof LiquidJs);

/** The HTML template with placeholders, and what each placeholder stands for. */
function placeholderHtml(source: string): Source | null {
  const { Tokenizer, TokenKind } = liquidjs();
  const options = htmlEngine().options;
  const result: Source = { html: '', outputs: [], tags: [] };
  const outputIds = new Map<string, number>();
  const open: number[] = [];
  let groups = 0;
  for (const token of new Tokenizer(source, options.operators).readTopLevelTokens(options)) {
    if (token.kind === TokenKind.HTML) {
      result.html += (token as unknown as { getContent(): string }).getContent();
    } else if (token.kind === TokenKind.Output) {
      // One placeholder per expression: html-to-text then hides a link whose text is its own href.
      const content = (token as unknown as { content: string }).content;
      if (!outputIds.has(content)) outputIds.set(content, result.outputs.push(content) - 1);
      result.html += placeholder('output', outputIds.get(content)!);
    } else {
      const { name, args } = token as LiquidJs.TagToken;
      let group = -1;
      if (name in BLOCKS) open.push((group = groups++));
      else if (BRANCHES.has(name)) group = open.at(-1) ?? -1;
      else if (Object.values(BLOCKS).includes(name)) group = open.pop() ?? -1;
      else if (!INERT.has(name)) return null;
      result.html += placeholder('tag', result.tags.push({ liquid: `{% ${name} ${args} %}`, group }) - 1);
    }
  }
  return result;
}

/** Where each placeholder sits: returns the links whose text or href holds Liquid, or null to refuse. */
function checkPlaces(source: Source, scan: HtmlScan): Anchor[] | null {
  const { html } = source;
  const groupScope = new Map<number, string>();
  const groupSpan = new Map<number, { from: number; to: number; inList: boolean }>();
  for (const m of html.matchAll(PLACEHOLDER)) {
    const kind = KIND_OF[m[1]!]!;
    const at = m.index;
    if (MARKUP_BEFORE.test(html.slice(Math.max(0, at - 40), at))) return null;
    const where = whereAt(scan, at);
    const href = where.kind === 'attr' && where.element === 'a' && where.name === 'href' && where.quoted;
    let scope: string;
    if (where.kind === 'text') scope = where.stack.map((e) => e.id).join('.');
    else if (href) scope = `attr ${where.id}`;
    else if (kind === 'tag' || where.kind === 'other') return null;
    else if (where.kind === 'attr' && (!where.quoted || (where.element === 'ol' && ['start', 'type'].includes(where.name)))) return null;
    else continue; // an output html-to-text does not print: a comment, an ignored attribute
    if (kind !== 'tag') continue;
    const group = source.tags[Number(m[2])]!.group;
    if (group < 0) continue;
    if ((groupScope.get(group) ?? scope) !== scope) return null;
    groupScope.set(group, scope);
    const inList = where.kind === 'text' && where.stack.some((e) => e.name === 'ol');
    const span = groupSpan.get(group);
    groupSpan.set(group, { from: span?.from ?? at, to: at, inList });
  }
  // html-to-text numbers an ordered list's items: a block tag that adds or repeats one renumbers the rest.
  for (const span of groupSpan.values()) if (span.inList && /<li\b/i.test(html.slice(span.from, span.to))) return null;
  const holdsLiquid = (s: string) => /[\uF000\uF002]/.test(s);
  const links = scan.anchors.filter((a) => a.href && (holdsLiquid(a.href.raw) || holdsLiquid(html.slice(a.openEnd, a.close ?? html.length))));
  return links.some((a) => a.close === null) ? null : links;
}

const words = (text: string) => text.replace(/[ \t\r\n\f\u200b]+/g, '');

/** The href as html-to-text reads it (entities decoded), placeholders kept. */
function decodedHref(anchor: Anchor): string | null {
  const { raw, quote } = anchor.href!;
  const match = /^Q \[Z([\s\S]*)\]$/.exec(htmlToText(`<a href=${quote}Z${raw}${quote}>Q</a>`));
  return match ? match[1]! : null;
}

interface Link {
  category: LinkCategory;
  inner: string;
  href: string;
}

/** How html-to-text printed a link with Liquid in it: `printed` is what it wrote between the link's marks. */
function readLink(source: Source, anchor: Anchor, printed: string): Link | null {
  const href = decodedHref(anchor);
  if (href === null) return null;
  const shown = href.replace(/^mailto:/, '');
  const text = words(htmlToText(`<p>${source.html.slice(anchor.openEnd, anchor.close!)}</p>`));
  const category: LinkCategory = !shown || shown[0] === '#' || text === shown ? 'none' : text === '' ? 'bare' : 'visible';
  const suffix = category === 'visible' ? ` [${shown}]` : category === 'bare' ? shown : '';
  if (!printed.endsWith(suffix)) return null;
  const inner = printed.slice(0, printed.length - suffix.length);
  return linkCategory(inner, shown) === category ? { category, inner, href } : null;
}

/** Maps placeholders back to Liquid; static text that could read as Liquid is kept raw. */
function toLiquid(source: Source, text: string, inHref: boolean, used: number[]): string {
  let result = '';
  let last = 0;
  const literal = (s: string) => {
    if (!s.includes('{')) return s;
    if (s.includes('endraw')) throw new Error('cannot keep literal');
    return `{% raw %}${s}{% endraw %}`;
  };
  for (const m of text.matchAll(PLACEHOLDER)) {
    result += literal(text.slice(last, m.index));
    last = m.index + m[0].length;
    const kind = KIND_OF[m[1]!]!;
    const n = Number(m[2]);
    if (kind === 'output') result += `{{ ${source.outputs[n]} }}`;
    else if (kind === 'tag') {
      used[n] = (used[n] ?? 0) + 1;
      result += inHref ? source.tags[n]!.liquid : GAP + source.tags[n]!.liquid + GAP;
    } else throw new Error('link mark out of place');
  }
  return result + literal(text.slice(last));
}

/** The derived Liquid source: html-to-text's output over the placeholder HTML, mapped back. */
function derivedSource(source: Source, links: Anchor[]): string | null {
  let marked = source.html;
  for (const [k, anchor] of [...links.entries()].reverse()) {
    marked = marked.slice(0, anchor.start) + placeholder('start', k) + marked.slice(anchor.start, anchor.end!) + placeholder('end', k) + marked.slice(anchor.end!);
  }
  const printed = htmlToText(marked);
  const used: number[] = [];
  let result = '';
  let cursor = 0;
  for (const [k, anchor] of links.entries()) {
    const [start, end] = [placeholder('start', k), placeholder('end', k)];
    const from = printed.indexOf(start);
    const to = printed.indexOf(end);
    if (from === -1 && to === -1) continue; // outside what html-to-text prints (e.g. in <head>)
    if (from < cursor || to < from || printed.indexOf(start, from + 1) !== -1 || printed.indexOf(end, to + 1) !== -1) return null;
    const link = readLink(source, anchor, printed.slice(from + start.length, to));
    if (!link) return null;
    result += toLiquid(source, printed.slice(cursor, from), false, used);
    result += GAP + LINK[link.category] + toLiquid(source, link.inner, false, used);
    result += HREF + toLiquid(source, link.href, true, used) + LINK_END + GAP;
    cursor = to + end.length;
  }
  result += toLiquid(source, printed.slice(cursor), false, used);
  return source.tags.every((_, n) => used[n] === 1) ? result : null;
}

// ---- rendering ---------------------------------------------------------------------------------

let unsettled = false;
function checkedOutput(value: unknown): string {
  const text = stringify(value);
  if (!settledValue(text)) unsettled = true;
  return text;
}

/** As liquidjs prints a value. */
function stringify(value: unknown): string {
  const v: unknown = liquidjs().toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(stringify).join('');
  return String(v);
}

let engine: Liquid | null = null;
/** Values are not HTML-escaped here: this is text. Each one is checked (and the check recorded) instead. */
const derivedEngine = () => (engine ??= sandboxedEngine(checkedOutput));

/**
 * The text part for one message from its derived template, or null when this message's values
 * need html-to-text over its own HTML. Synchronous, so the check's flag cannot see another render.
 */
export function renderDerivedText(derived: DerivedText, scope: Record<string, unknown>): string | null {
  unsettled = false;
  const engine = derivedEngine();
  const text = (derived.fast && renderFast(derived.fast, engine, scope, checkedOutput)) ?? String(engine.renderSync(derived.parsed, scope));
  if (unsettled) return null;
  return derived.marked ? settleText(text) : text;
}

// ---- derivation --------------------------------------------------------------------------------

// Strings take every branch an `if` on a variable takes when it is set, false when it is not.
const PROBES: Array<(n: number) => unknown> = [(n) => `Probe${n}`, () => false, () => true];

/** Renders both ways with each probe; any difference, or a value the check refuses, refuses the template. */
function agreesWithHtmlToText(derived: DerivedText, html: Template[]): boolean {
  const uses = globalVariables(htmlEngine(), html, 'html');
  return PROBES.every((value) => {
    const scope: Record<string, unknown> = {};
    const fields: Record<string, unknown> = {};
    uses.forEach(({ segments: [root = '', key] }, n) => {
      if (root === FIELDS_NAMESPACE) scope[root] = fields;
      if (root === FIELDS_NAMESPACE && key && key !== '*') fields[key] = value(n);
      else if (root !== FIELDS_NAMESPACE && root !== '*') scope[root] = value(n);
    });
    return renderDerivedText(derived, scope) === htmlToText(String(htmlEngine().renderSync(html, scope)));
  });
}

/**
 * The derived text template of an HTML template (its source and its parsed form), or null when
 * the text must be converted from each rendered HTML body: the choice is made once per template.
 */
export function deriveTextTemplate(source: string, html: Template[]): DerivedText | null {
  try {
    if (UNSUPPORTED_SOURCE.test(source)) return null;
    const placeheld = placeholderHtml(source);
    if (!placeheld) return null;
    const scan = scanHtml(placeheld.html);
    const links = scan.malformed ? null : checkPlaces(placeheld, scan);
    const liquid = links && derivedSource(placeheld, links);
    if (!liquid) return null;
    const engine = derivedEngine();
    const derived = { parsed: engine.parse(liquid), fast: compileFast(engine, liquid), marked: liquid.includes(GAP) };
    return agreesWithHtmlToText(derived, html) ? derived : null;
  } catch {
    return null; // anything unexpected: the per-message conversion is always right
  }
}
