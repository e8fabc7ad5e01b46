import { findTokens } from '../../lib/tokens.js';
import { PART_LABEL, type Part } from './liquid.js';
import { isPersonalPath } from './personal-paths.js';
import type { TemplateProblem, TemplateSources } from './template-check.js';

export interface LintOptions {
  /** The configured public URL: the only host Tessera links may be built on. */
  publicUrl: URL;
  /** Further hosts an operator allows links to (host[:port], lower case). */
  allowedHosts?: readonly string[];
}

// Values of link-bearing attributes, quoted or not, and absolute URLs anywhere in the text
// (plain-text bodies and subjects have no attributes; HTML may carry URLs in text or CSS too).
const ATTRIBUTE = /\b(?:href|src|action|formaction|background|poster|cite)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const ABSOLUTE = /(?:\bhttps?:)?\/\/[^\s"'<>()\\]+/gi;
const SAFE_SCHEME = /^(?:mailto:|tel:|sms:|cid:|data:image\/|#)/i;

function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&(?:amp|colon|sol);/gi, (e) => ({ '&amp;': '&', '&colon;': ':', '&sol;': '/' })[e.toLowerCase()] ?? e);
}

function linksIn(part: Part, source: string): string[] {
  const links: string[] = [];
  if (part === 'html') {
    for (const m of source.matchAll(ATTRIBUTE)) links.push(decodeEntities((m[1] ?? m[2] ?? m[3] ?? '').trim()));
  }
  // A URL inside an attribute is found by both scans, the second cut short at a space in a tag.
  for (const m of source.matchAll(ABSOLUTE)) if (!links.some((link) => link.startsWith(m[0]))) links.push(m[0]);
  return [...new Set(links)];
}

type Finding = Pick<TemplateProblem, 'rule' | 'message'>;

function checkAbsolute(link: string, options: LintOptions): Finding | null {
  const rest = link.replace(/^(?:https?:)?\/\//i, '');
  const host = (/^[^/?#]*/.exec(rest)?.[0] ?? '').toLowerCase().replace(/^[^@]*@/, '');
  if (host === '') return null;
  const allowed = [options.publicUrl.host.toLowerCase(), ...(options.allowedHosts ?? [])];
  if (!allowed.includes(host)) {
    return { rule: 'foreign_host', message: `A link to ${host.slice(0, 80)}: links must use ${options.publicUrl.host}` };
  }
  return checkPath(rest.slice(host.length).split(/[?#]/)[0] || '/', options);
}

function checkPath(path: string, options: LintOptions): Finding | null {
  const base = options.publicUrl.pathname.replace(/\/$/, '');
  const relative = base && path.startsWith(`${base}/`) ? path.slice(base.length) : path;
  if (!isPersonalPath(relative)) return null;
  return { rule: 'personal_link', message: `A link to a personal page (${path.slice(0, 60)}): use its merge tag, which makes one link per recipient` };
}

function checkLink(link: string, options: LintOptions): Finding | null {
  // A link produced by a merge tag is built from the public URL per recipient at send time.
  if (link === '' || link.startsWith('{{') || link.startsWith('{%') || SAFE_SCHEME.test(link)) return null;
  if (/^(?:https?:)?\/\//i.test(link)) return checkAbsolute(link, options);
  if (link.startsWith('/')) return checkPath(link, options) ?? { rule: 'invalid', message: `A relative link (${link.slice(0, 60)}) does not work in an email: write the full URL` };
  if (/^[a-z][a-z0-9+.-]*:/i.test(link)) return { rule: 'invalid', message: `A "${link.split(':')[0]!.slice(0, 20)}:" link is not allowed in an email` };
  return null;
}

/**
 * Refuses what must never be saved in a template: a pasted Tessera credential (it would go to
 * every recipient), a hand-written link to a personal page (only its merge tag makes one link per
 * person), and links built on a host other than the configured public URL. Pure: no I/O.
 */
export function lintTemplate(input: TemplateSources, options: LintOptions): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const parts: Array<[Part, string]> = [['subject', input.subject], ['html', input.html]];
  if (input.text !== null) parts.push(['text', input.text]);
  for (const [part, source] of parts) {
    const path = `/${part}`;
    if (findTokens(source).length > 0) {
      problems.push({ path, rule: 'credential', message: `${PART_LABEL[part]} contains a personal Tessera credential: remove it and use the merge tag instead` });
    }
    const seen = new Set<string>();
    for (const link of linksIn(part, source)) {
      const finding = checkLink(link, options);
      if (finding && !seen.has(finding.message)) {
        seen.add(finding.message);
        problems.push({ path, ...finding, message: `${PART_LABEL[part]}: ${finding.message}` });
      }
    }
  }
  return problems;
}
