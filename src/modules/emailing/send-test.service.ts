import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import type { ServerKeys } from '../../lib/keyring.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../audit/index.js';
import type { Enqueued } from './emailing.types.js';
import type { MergeTagContext } from './merge-tags.js';
import { enqueueEmail } from './outbox.service.js';
import { renderEmail, TemplateRenderError } from './render.js';
import { mergeContexts, personalTagsOf } from './template-preview.js';
import { getTemplate } from './template.service.js';

export const MIN_TEST_RECIPIENTS = 2;
export const MAX_TEST_RECIPIENTS = 5;

/** Marks test messages in their merge data: a credential tag may use it to mint a short-lived one. */
export const SEND_TEST_DATA = { send_test: 'true' } as const;

export interface SendTestInput {
  orgId: string;
  eventId: string;
  templateId: string;
  participantIds: string[];
  /** The signed-in staff member: every test message goes to this address. */
  to: { email: string; name: string };
  publicUrl: URL;
  keys: ServerKeys;
}

export interface SharedValue {
  tag: string;
  participantIds: [string, string];
}

class Rollback extends Error {}

/** Runs `fn` in a transaction that is always rolled back: whatever it wrote never existed. */
async function rolledBack<T>(db: Kysely<Database>, fn: (trx: Db) => Promise<T>): Promise<T> {
  let result: { value: T } | null = null;
  try {
    await db.transaction().execute(async (trx) => {
      result = { value: await fn(trx) };
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return (result as { value: T } | null)!.value;
}

function enqueueInput(input: SendTestInput, participantId: string) {
  const recipient = { kind: 'participant' as const, id: participantId, email: input.to.email, name: input.to.name };
  return { orgId: input.orgId, eventId: input.eventId, templateId: input.templateId, category: 'transactional' as const, recipient, data: { ...SEND_TEST_DATA } };
}

/**
 * Does what the worker will do for each test message (an outbox row, then every personal tag
 * resolved in send mode, then the whole render) inside a transaction that is rolled back, so the
 * credentials minted for the check are never stored; returns the pairs that got the same value.
 */
async function dryRun(db: Kysely<Database>, ctx: Ctx, input: SendTestInput, contexts: MergeTagContext[]): Promise<SharedValue[]> {
  const template = await getTemplate(db, input.orgId, input.templateId);
  const tags = personalTagsOf(template);
  return rolledBack(db, async (trx) => {
    const seen = tags.map(() => new Map<string, string>());
    const shared: SharedValue[] = [];
    for (const context of contexts) {
      const queued = await enqueueEmail(trx, ctx, enqueueInput(input, context.recipient.id));
      const m: MergeTagContext = { ...context, db: trx, mode: 'send', outboxId: queued.id, data: { ...SEND_TEST_DATA } };
      for (const [i, tag] of tags.entries()) {
        const value = String((await tag.resolve(m)) ?? '');
        const other = seen[i]!.get(value);
        if (other !== undefined) shared.push({ tag: tag.name, participantIds: [other, context.recipient.id] });
        else seen[i]!.set(value, context.recipient.id);
      }
      await renderEmail(template, m);
    }
    return shared;
  });
}

function nameOf(contexts: MergeTagContext[], id: string): string {
  const r = contexts.find((c) => c.recipient.id === id)?.recipient;
  return r ? `${r.firstName} ${r.lastName}`.trim() || r.email : id;
}

/**
 * "Send test": the template rendered with the data of two or more participants, each message
 * delivered to the staff member's own address through the outbox. Before anything is queued,
 * every personal tag's value is compared across those participants: if two would receive the
 * same link or code, the tag is broken (it would send one person's key to everybody) and the
 * test is refused, naming the tag and the participants, never the value.
 */
export async function sendTemplateTest(db: Kysely<Database>, ctx: Ctx, actor: Actor, input: SendTestInput): Promise<Enqueued[]> {
  const ids = [...new Set(input.participantIds.filter(Boolean))];
  if (ids.length < MIN_TEST_RECIPIENTS || ids.length > MAX_TEST_RECIPIENTS) {
    const message = `Choose ${MIN_TEST_RECIPIENTS} to ${MAX_TEST_RECIPIENTS} different participants`;
    throw new DomainError('validation_failed', message, [{ path: '/participants', message }]);
  }
  const template = await getTemplate(db, input.orgId, input.templateId);
  if (template.eventId !== null && template.eventId !== input.eventId) throw new DomainError('not_found', 'Template not found');
  const contexts = await mergeContexts(db, ctx, { ...input, template, participantIds: ids }, 'send');
  let shared: SharedValue[];
  try {
    shared = await dryRun(db, ctx, { ...input, participantIds: ids }, contexts);
  } catch (err) {
    if (!(err instanceof TemplateRenderError)) throw err;
    throw new DomainError('template_invalid', err.message, [{ path: '/html', rule: 'syntax', message: err.message }]);
  }
  if (shared.length > 0) {
    const lines = shared.map((s) => `"${s.tag}" gives ${nameOf(contexts, s.participantIds[0])} and ${nameOf(contexts, s.participantIds[1])} the same value`);
    throw new DomainError('personal_value_shared', `Send test refused, nothing was sent: ${lines.join('; ')}. A personal link or code must differ for every recipient.`, shared);
  }
  return db.transaction().execute(async (trx) => {
    const queued: Enqueued[] = [];
    for (const id of ids) queued.push(await enqueueEmail(trx, ctx, enqueueInput({ ...input, participantIds: ids }, id)));
    await audit(trx, ctx, actor, {
      orgId: input.orgId,
      action: 'email_template.test_sent',
      target: { type: 'email_template', id: template.id },
      data: { participantIds: ids, to: input.to.email },
    });
    return queued;
  });
}
