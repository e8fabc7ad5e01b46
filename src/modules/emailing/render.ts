import { htmlToText } from './html-text.js';
import type { FieldValues } from '../custom-fields/index.js';
import type { EmailTemplate, RenderedEmail } from './emailing.types.js';
import { compilePart, renderPart, type CompiledPart } from './liquid.js';
import { FIELDS_NAMESPACE, findMergeTag, type MergeTag, type MergeTagContext } from './merge-tags.js';
import { deriveTextTemplate, renderDerivedText, type DerivedText } from './text-derivation.js';

interface CompiledTemplate {
  subject: CompiledPart;
  html: CompiledPart;
  text: CompiledPart | null;
  /** Without a written text part: the text template derived from the HTML, null to convert each message's HTML. */
  derivedText: DerivedText | null;
  /** Root names the template reads: only these tags are resolved (and minted) per message. */
  roots: Set<string>;
}

/** A template that can no longer be rendered (edited outside the checks, or over a limit). */
export class TemplateRenderError extends Error {
  override name = 'TemplateRenderError';
}

const MAX_HTML_LENGTH = 2_000_000;
const MAX_SUBJECT_LENGTH = 500;

// Parsed once per template version: a campaign renders the same template thousands of times.
const compiled = new Map<string, CompiledTemplate>();

function compileTemplate(template: EmailTemplate): CompiledTemplate {
  const key = `${template.id}:${template.updatedAt}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  try {
    const subject = compilePart('subject', template.subject);
    const html = compilePart('html', template.html);
    const text = template.text === null ? null : compilePart('text', template.text);
    const roots = new Set([...subject.roots, ...html.roots, ...(text?.roots ?? [])]);
    const derivedText = text === null ? deriveTextTemplate(template.html, html.parsed) : null;
    const result = { subject, html, text, derivedText, roots };
    if (compiled.size >= 200) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, result);
    return result;
  } catch (err) {
    throw new TemplateRenderError(`template cannot be parsed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** How the template's text part is produced: as written, derived once from the HTML, or converted from each message's HTML. */
export function textPartSource(template: EmailTemplate): 'written' | 'derived' | 'per-message' {
  const parts = compileTemplate(template);
  return parts.text ? 'written' : parts.derivedText ? 'derived' : 'per-message';
}

// Multiple choices read as "a, b"; checkboxes stay booleans so `{% if fields.vip %}` works.
function fieldsScope(fields: FieldValues): Record<string, string | boolean> {
  const scope: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(fields)) scope[key] = Array.isArray(value) ? value.join(', ') : value;
  return scope;
}

/** A tag printed as an image in HTML: its value and the marker that holds its place until then. */
interface InlineUse {
  tag: MergeTag;
  value: string;
  marker: RegExp;
}

async function resolveScope(roots: Set<string>, m: MergeTagContext): Promise<{ scope: Record<string, unknown>; inline: InlineUse[] }> {
  const scope: Record<string, unknown> = {};
  const inline: InlineUse[] = [];
  for (const root of roots) {
    if (root === FIELDS_NAMESPACE) {
      scope[root] = fieldsScope(m.recipient.fields);
      continue;
    }
    const tag = findMergeTag(root);
    if (!tag) continue;
    const value = String((await tag.resolve(m)) ?? '');
    if (!tag.inlineHtml) {
      scope[root] = value;
      continue;
    }
    // Letters and digits only, so HTML escaping leaves it whole; random, so no attendee data can
    // spell it; matched in any case, so an upcase filter does not hide it.
    const marker = `tsrinline${m.ctx.random.bytes(10).toString('hex')}x`;
    scope[root] = marker;
    inline.push({ tag, value, marker: new RegExp(marker, 'gi') });
  }
  return { scope, inline };
}

/** Puts each inline tag's text in the subject and text part, and its markup and images in the HTML. */
async function placeInline(rendered: Required<RenderedEmail>, uses: InlineUse[], m: MergeTagContext): Promise<Required<RenderedEmail>> {
  let { subject, html, text } = rendered;
  const images = [...rendered.inline];
  for (const use of uses) {
    const value = () => use.value;
    subject = subject.replace(use.marker, value);
    text = text.replace(use.marker, value);
    if (html.search(use.marker) < 0) continue;
    const inline = await use.tag.inlineHtml!(use.value, m);
    html = html.replace(use.marker, () => inline.html);
    images.push(...inline.images);
  }
  return { subject, html, text, inline: images };
}

/** A header value on one line: CR, LF and other control characters would start a new header. */
export function headerSafe(value: string, max = MAX_SUBJECT_LENGTH): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim().slice(0, max);
}


/**
 * Renders a template for one recipient. Merge tags are resolved here, at send time, so personal
 * credentials are minted now and exist only in the returned bodies, which the caller sends and
 * never stores. Liquid runs synchronously once values are resolved: the render-time limit then
 * measures this template alone, not other work interleaved on the event loop.
 */
export async function renderEmail(template: EmailTemplate, m: MergeTagContext): Promise<RenderedEmail> {
  const parts = compileTemplate(template);
  const { scope, inline } = await resolveScope(parts.roots, m);
  const rendered = renderParts(parts, scope);
  return inline.length > 0 ? placeInline(rendered, inline, m) : rendered;
}

function renderParts(parts: CompiledTemplate, scope: Record<string, unknown>): Required<RenderedEmail> {
  try {
    const subject = headerSafe(renderPart(parts.subject, scope));
    const html = renderPart(parts.html, scope);
    if (html.length > MAX_HTML_LENGTH) throw new TemplateRenderError('rendered HTML is over 2 MB');
    const text = parts.text
      ? renderPart(parts.text, scope)
      : ((parts.derivedText && renderDerivedText(parts.derivedText, scope)) ?? htmlToText(html));
    return { subject, html, text, inline: [] };
  } catch (err) {
    if (err instanceof TemplateRenderError) throw err;
    throw new TemplateRenderError(`template cannot be rendered: ${err instanceof Error ? err.message : String(err)}`);
  }
}
