import { htmlToText } from './html-text.js';
import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import type { ServerKeys } from '../../lib/keyring.js';
import { DomainError } from '../../lib/errors.js';
import { getEvent } from '../events/index.js';
import { getOrganisation } from '../organisations/index.js';
import type { EmailTemplate, RenderedEmail } from './emailing.types.js';
import { compilePart, htmlEngine, textEngine, type CompiledPart } from './liquid.js';
import { FIELDS_NAMESPACE, findMergeTag, type MergeTag, type MergeTagContext } from './merge-tags.js';
import { loadRecipients, recipientKey } from './recipients.js';
import { headerSafe, TemplateRenderError } from './render.js';

/** What a personal tag shows in a preview: visibly not a value, and nothing that opens anything. */
export function previewPlaceholder(tag: string): string {
  return `[preview: ${tag}, personal, created when the email is sent]`;
}

export interface Preview extends RenderedEmail {
  /** Personal tags the template uses: shown as placeholders, never resolved for a preview. */
  personalTags: string[];
}

interface Compiled {
  subject: CompiledPart;
  html: CompiledPart;
  text: CompiledPart | null;
  roots: string[];
}

function compile(template: EmailTemplate): Compiled {
  try {
    const subject = compilePart('subject', template.subject);
    const html = compilePart('html', template.html);
    const text = template.text === null ? null : compilePart('text', template.text);
    return { subject, html, text, roots: [...new Set([...subject.roots, ...html.roots, ...(text?.roots ?? [])])] };
  } catch (err) {
    throw new TemplateRenderError(`template cannot be parsed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The registered personal tags (links, codes) this template reads. */
export function personalTagsOf(template: EmailTemplate): MergeTag[] {
  return compile(template)
    .roots.map((root) => findMergeTag(root))
    .filter((tag): tag is MergeTag => tag !== undefined && tag.personal);
}


/**
 * Renders a template for a staff member's screen. Unlike renderEmail, a personal tag's resolver is
 * never called, whatever it would do in preview mode: a preview mints and stores no credential.
 */
export async function renderPreview(template: EmailTemplate, m: MergeTagContext): Promise<Preview> {
  const parts = compile(template);
  const scope: Record<string, unknown> = {};
  const personalTags: string[] = [];
  for (const root of parts.roots) {
    if (root === FIELDS_NAMESPACE) {
      scope[root] = Object.fromEntries(Object.entries(m.recipient.fields).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
      continue;
    }
    const tag = findMergeTag(root);
    if (!tag) continue;
    if (tag.personal) personalTags.push(tag.name);
    scope[root] = tag.personal ? previewPlaceholder(tag.name) : String((await tag.resolve({ ...m, mode: 'preview', outboxId: null })) ?? '');
  }
  try {
    const subject = headerSafe(String(textEngine().renderSync(parts.subject.parsed, scope)));
    const html = String(htmlEngine().renderSync(parts.html.parsed, scope));
    const text = parts.text ? String(textEngine().renderSync(parts.text.parsed, scope)) : htmlToText(html);
    return { subject, html, text, personalTags: personalTags.sort() };
  } catch (err) {
    throw new TemplateRenderError(`template cannot be rendered: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface MergeTarget {
  orgId: string;
  eventId: string;
  template: EmailTemplate;
  participantIds: string[];
  publicUrl: URL;
  keys: ServerKeys;
}

/**
 * What merge tags get for each of these participants of the event, as the worker would build it
 * (fresh recipient data, the event, the organisation). Refuses when one is not in the event.
 */
export async function mergeContexts(db: Db, ctx: Ctx, target: MergeTarget, mode: MergeTagContext['mode']): Promise<MergeTagContext[]> {
  const { orgId, eventId, template } = target;
  const event = await getEvent(db, orgId, eventId);
  const org = await getOrganisation(db, orgId);
  const found = await loadRecipients(db, target.participantIds.map((id) => ({ orgId, kind: 'participant' as const, id })));
  return target.participantIds.map((id) => {
    const recipient = found.get(recipientKey({ orgId, kind: 'participant', id }));
    if (!recipient || recipient.eventId !== eventId) throw new DomainError('not_found', 'Participant not found');
    return {
      db,
      ctx,
      publicUrl: target.publicUrl,
      keys: target.keys,
      mode,
      orgId,
      organisation: { id: org.id, name: org.name },
      event,
      template: { id: template.id, type: template.type },
      recipient,
      outboxId: null,
      data: {},
    };
  });
}

/** A saved template rendered for one participant, for the editor's preview frame. */
export async function previewTemplate(db: Db, ctx: Ctx, target: Omit<MergeTarget, 'participantIds'> & { participantId: string }): Promise<Preview> {
  const [m] = await mergeContexts(db, ctx, { ...target, participantIds: [target.participantId] }, 'preview');
  return renderPreview(target.template, m!);
}
