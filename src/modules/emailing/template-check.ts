import type { Template } from 'liquidjs';
import type { TemplateType } from './emailing.types.js';
import { engineFor, globalVariables, PART_LABEL, type Part, type VariableUse } from './liquid.js';
import { FIELDS_NAMESPACE, findMergeTag } from './merge-tags.js';

export type ProblemRule = 'invalid' | 'syntax' | 'unknown_tag' | 'tag_not_for_type' | 'credential' | 'personal_link' | 'foreign_host';

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
