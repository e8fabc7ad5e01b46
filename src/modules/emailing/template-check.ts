import type { Template } from 'liquidjs';
import type { Db } from '../../db/database.js';
import type { TemplateType } from './emailing.types.js';
import { engineFor, globalVariables, PART_LABEL, type Part, type VariableUse } from './liquid.js';
import { FIELDS_NAMESPACE, findMergeTag } from './merge-tags.js';

export type ProblemRule = 'invalid' | 'syntax' | 'unknown_tag' | 'tag_not_for_type' | 'credential' | 'personal_link' | 'foreign_host' | 'tag_unavailable';

/** One reason a template cannot be saved, shaped like every validation detail (path + message). */
export interface TemplateProblem {
  path: string;
  rule: ProblemRule;
  message: string;
  /** For unknown_tag and tag_not_for_type: the tag as written, e.g. "frist_name" or "fields.compnay". */
  tag?: string;
}

export interface TemplateSources {
  type: TemplateType;
  subject: string;
  html: string;
  text: string | null;
}

function parse(part: Part, source: string): { parsed: Template[] } | { problem: TemplateProblem } {
  try {
    return { parsed: engineFor(part).parse(source) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { problem: { path: `/${part}`, rule: 'syntax', message: `${PART_LABEL[part]}: Liquid syntax error: ${message}` } };
  }
}

function tagProblem(use: VariableUse, type: TemplateType, fieldKeys: readonly string[] | null): TemplateProblem | null {
  const [root = '', key] = use.segments;
  const where = `${PART_LABEL[use.part]}, line ${use.row}`;
  const unknown = (tag: string, message: string): TemplateProblem => ({ path: `/${use.part}`, rule: 'unknown_tag', tag, message: `${message} (${where})` });
  if (root === '*') return unknown('*', 'A merge tag name cannot be computed');
  if (root === FIELDS_NAMESPACE) {
    if (!key || key === '*') return unknown(FIELDS_NAMESPACE, 'Name the custom field: {{ fields.<key> }}');
    const known = fieldKeys ? fieldKeys.includes(key) : /^[a-z][a-z0-9_]{0,39}$/.test(key);
    return known ? null : unknown(`${FIELDS_NAMESPACE}.${key}`, `Unknown custom field "${key}"`);
  }
  const tag = findMergeTag(root);
  if (!tag) return unknown(root, `Unknown merge tag "${root}"`);
  if (tag.types && !tag.types.includes(type)) {
    return { path: `/${use.part}`, rule: 'tag_not_for_type', tag: root, message: `"${root}" cannot be used in a ${type} template (${where})` };
  }
  return null;
}

/**
 * Parses every part and checks each merge tag it reads against the registry, so a typo is
 * reported when the template is saved rather than as a blank in thousands of sent emails.
 * `fieldKeys` are the event's custom field keys; null for an organisation-level template, whose
 * events are not known yet (any well-formed key is then accepted).
 */
export function checkTemplateSources(input: TemplateSources, fieldKeys: readonly string[] | null): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const parts: Array<[Part, string]> = [['subject', input.subject], ['html', input.html]];
  if (input.text !== null) parts.push(['text', input.text]);
  const seen = new Set<string>();
  for (const [part, source] of parts) {
    const result = parse(part, source);
    if ('problem' in result) {
      problems.push(result.problem);
      continue;
    }
    for (const use of globalVariables(engineFor(part), result.parsed, part)) {
      const problem = tagProblem(use, input.type, fieldKeys);
      const key = `${problem?.rule}:${problem?.tag}`;
      if (problem && !seen.has(key)) {
        seen.add(key);
        problems.push(problem);
      }
    }
  }
  return problems;
}

/** Why a tag cannot be used in this event's templates now (no open availability campaign), or null. */
export type TagCheck = (db: Db, orgId: string, eventId: string, now: Date) => Promise<string | null>;

const tagChecks = new Map<string, TagCheck>();

/**
 * For a tag that needs something of the event to exist when it is sent: checked when an event's
 * template is saved, so the organiser hears it then rather than from failed messages.
 */
export function registerTagCheck(tag: string, check: TagCheck): void {
  if (tagChecks.has(tag)) throw new Error(`merge tag "${tag}" already has a check`);
  tagChecks.set(tag, check);
}

/** Tags this event cannot serve now, each with its own explanation. Run on a template that passed the other checks. */
export async function checkEventTags(db: Db, orgId: string, eventId: string, input: TemplateSources, now: Date): Promise<TemplateProblem[]> {
  const problems: TemplateProblem[] = [];
  const parts: Array<[Part, string]> = [['subject', input.subject], ['html', input.html]];
  if (input.text !== null) parts.push(['text', input.text]);
  const seen = new Set<string>();
  for (const [part, source] of parts) {
    for (const use of globalVariables(engineFor(part), engineFor(part).parse(source), part)) {
      const root = use.segments[0] ?? '';
      const check = tagChecks.get(root);
      if (!check || seen.has(root)) continue;
      seen.add(root);
      const message = await check(db, orgId, eventId, now);
      if (message) problems.push({ path: `/${part}`, rule: 'tag_unavailable', tag: root, message });
    }
  }
  return problems;
}
