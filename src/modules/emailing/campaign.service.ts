import type { CampaignStatus, Db, Dialect } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { getEvent } from '../events/index.js';
import type { ParticipantAddress } from '../participants/index.js';
import { audiencePages, countAudience, normaliseAudience } from './audience.js';
import {
  cancelQueuedMessages,
  changeCampaignStatus,
  countParkedMessages,
  findCampaign,
  findCampaignMessages,
  findCampaigns,
  insertCampaign,
  parkQueuedMessages,
  PARKED_UNTIL,
  requeueFailedMessages,
  unparkMessages,
  updateCampaignRow,
} from './campaign.repository.js';
import type { Campaign, CampaignInput, CampaignMessagePage, CampaignProgress } from './campaign.types.js';
import type { OutboxStatus } from './emailing.types.js';
import { campaignDeliveryCounts, enqueueEmails } from './outbox.service.js';
import { getTemplate } from './template.service.js';

const OUTBOX_STATUSES: readonly OutboxStatus[] = ['queued', 'sending', 'sent', 'failed', 'bounced', 'skipped', 'cancelled'];
// Messages handed to enqueueEmails at a time: it writes them 500 rows per statement.
const ENQUEUE_BATCH = 2_000;

function refuse(message: string): DomainError {
  return new DomainError('conflict', message);
}

async function campaignTemplate(db: Db, orgId: string, eventId: string, templateId: string) {
  const template = isId(templateId) ? await getTemplate(db, orgId, templateId).catch(() => null) : null;
  if (!template || (template.eventId !== null && template.eventId !== eventId)) {
    throw new DomainError('validation_failed', 'Choose a template of this event or of the organisation', [{ path: '/templateId', message: 'Choose a template' }]);
  }
  return template;
}

export async function getCampaign(db: Db, orgId: string, eventId: string, campaignId: string): Promise<Campaign> {
  const campaign = isId(campaignId) ? await findCampaign(db, orgId, eventId, campaignId) : null;
  if (!campaign) throw new DomainError('not_found', 'Campaign not found');
  return campaign;
}

export async function listCampaigns(db: Db, orgId: string, eventId: string): Promise<Campaign[]> {
  return findCampaigns(db, orgId, eventId);
}

/** A draft: nothing is sent until it is sent now or its scheduled time comes. */
export async function createCampaign(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, input: CampaignInput): Promise<Campaign> {
  await getEvent(db, orgId, eventId);
  const name = String(input.name ?? '').trim();
  if (!name || name.length > 200) throw new DomainError('validation_failed', 'Give the campaign a name of at most 200 characters', [{ path: '/name', message: 'Give the campaign a name' }]);
  const template = await campaignTemplate(db, orgId, eventId, input.templateId);
  const audience = await normaliseAudience(db, orgId, eventId, input.audience);
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  await insertCampaign(db, {
    id,
    org_id: orgId,
    event_id: eventId,
    template_id: template.id,
    name,
    audience: JSON.stringify(audience),
    status: 'draft',
    scheduled_at: null,
    started_at: null,
    finished_at: null,
    recipient_count: 0,
    created_by: actor.type === 'staff' ? actor.id : null,
    created_at: now,
    updated_at: now,
  });
  await audit(db, ctx, actor, { orgId, action: 'campaign.created', target: { type: 'campaign', id }, data: { name, eventId, templateId: template.id } });
  return getCampaign(db, orgId, eventId, id);
}

/** How many participants the campaign would reach if it started now. */
export async function campaignAudienceCount(db: Db, dialect: Dialect, campaign: Campaign): Promise<number> {
  return countAudience(db, dialect, campaign.orgId, campaign.eventId, campaign.audience);
}

/** `at` is UTC; the page converts from the event's time zone. Only a future time is accepted. */
export async function scheduleCampaign(db: Db, ctx: Ctx, actor: Actor, campaign: Campaign, at: string): Promise<void> {
  const when = new Date(at);
  if (Number.isNaN(when.getTime()) || when.getTime() <= ctx.clock.now().getTime()) {
    throw new DomainError('validation_failed', 'Choose a date and time in the future', [{ path: '/scheduledAt', message: 'Choose a date and time in the future' }]);
  }
  const now = ctx.clock.now().toISOString();
  const scheduledAt = when.toISOString();
  if (!(await changeCampaignStatus(db, campaign.orgId, campaign.id, ['draft', 'scheduled'], { status: 'scheduled', scheduled_at: scheduledAt, updated_at: now }))) {
    throw refuse('Only a draft or scheduled campaign can be scheduled');
  }
  await audit(db, ctx, actor, { orgId: campaign.orgId, action: 'campaign.scheduled', target: { type: 'campaign', id: campaign.id }, data: { scheduledAt } });
}

export async function unscheduleCampaign(db: Db, ctx: Ctx, actor: Actor, campaign: Campaign): Promise<void> {
  const now = ctx.clock.now().toISOString();
  if (!(await changeCampaignStatus(db, campaign.orgId, campaign.id, ['scheduled'], { status: 'draft', scheduled_at: null, updated_at: now }))) {
    throw refuse('This campaign is not scheduled');
  }
  await audit(db, ctx, actor, { orgId: campaign.orgId, action: 'campaign.unscheduled', target: { type: 'campaign', id: campaign.id }, data: {} });
}

function messageOf(p: ParticipantAddress) {
  return { recipient: { kind: 'participant' as const, id: p.id, email: p.email, name: `${p.firstName} ${p.lastName}`.trim() } };
}

/**
 * Starts a campaign inside the caller's transaction: takes it from draft or scheduled to sending
 * (one statement, so of two nodes or two clicks only one starts it), then writes one outbox row
 * per recipient of the audience as it is now, reading participants a keyset page at a time and
 * inserting in multi-row batches. False when the campaign was not startable (any more).
 * `dueBy` (the scheduler) starts it only while its scheduled time is still at or before then.
 */
export async function startCampaign(trx: Db, ctx: Ctx, dialect: Dialect, actor: Actor, campaign: Campaign, options: { dueBy?: string } = {}): Promise<boolean> {
  const now = ctx.clock.now().toISOString();
  const from: CampaignStatus[] = options.dueBy ? ['scheduled'] : ['draft', 'scheduled'];
  const values = { status: 'sending' as const, started_at: now, scheduled_at: campaign.scheduledAt ?? now, updated_at: now };
  if (!(await changeCampaignStatus(trx, campaign.orgId, campaign.id, from, values, options.dueBy ? { dueBy: options.dueBy } : {}))) return false;
  const base = { orgId: campaign.orgId, eventId: campaign.eventId, campaignId: campaign.id, templateId: campaign.templateId, category: 'campaign' as const };
  let pending: Array<ReturnType<typeof messageOf>> = [];
  let queued = 0;
  let skipped = 0;
  const flush = async () => {
    const result = await enqueueEmails(trx, ctx, { ...base, messages: pending });
    queued += result.queued;
    skipped += result.skipped;
    pending = [];
  };
  for await (const page of audiencePages(trx, dialect, campaign.orgId, campaign.eventId, campaign.audience)) {
    for (const participant of page) pending.push(messageOf(participant));
    if (pending.length >= ENQUEUE_BATCH) await flush();
  }
  if (pending.length > 0) await flush();
  // Nobody to send to: there is nothing to wait for.
  const finished = queued === 0 ? { status: 'finished' as const, finished_at: now } : {};
  await updateCampaignRow(trx, campaign.orgId, campaign.id, { recipient_count: queued + skipped, ...finished });
  await audit(trx, ctx, actor, { orgId: campaign.orgId, action: 'campaign.started', target: { type: 'campaign', id: campaign.id }, data: { queued, skipped } });
  return true;
}

/** Queued messages stop being claimed; those already being sent finish. */
export async function pauseCampaign(trx: Db, ctx: Ctx, actor: Actor, campaign: Campaign): Promise<void> {
  const now = ctx.clock.now().toISOString();
  if (!(await changeCampaignStatus(trx, campaign.orgId, campaign.id, ['sending'], { status: 'paused', updated_at: now }))) throw refuse('Only a campaign that is sending can be paused');
  const parked = await parkQueuedMessages(trx, campaign.id, now);
  await audit(trx, ctx, actor, { orgId: campaign.orgId, action: 'campaign.paused', target: { type: 'campaign', id: campaign.id }, data: { held: parked } });
}

export async function resumeCampaign(trx: Db, ctx: Ctx, actor: Actor, campaign: Campaign): Promise<void> {
  const now = ctx.clock.now().toISOString();
  if (!(await changeCampaignStatus(trx, campaign.orgId, campaign.id, ['paused'], { status: 'sending', updated_at: now }))) throw refuse('Only a paused campaign can be resumed');
  const resumed = await unparkMessages(trx, campaign.id, now);
  await audit(trx, ctx, actor, { orgId: campaign.orgId, action: 'campaign.resumed', target: { type: 'campaign', id: campaign.id }, data: { resumed } });
}

/** Every message not yet sent is cancelled; a message in flight at this moment still goes. */
export async function cancelCampaign(trx: Db, ctx: Ctx, actor: Actor, campaign: Campaign): Promise<void> {
  const now = ctx.clock.now().toISOString();
  const from: CampaignStatus[] = ['draft', 'scheduled', 'sending', 'paused'];
  if (!(await changeCampaignStatus(trx, campaign.orgId, campaign.id, from, { status: 'cancelled', finished_at: now, updated_at: now }))) throw refuse('This campaign has already ended');
  const cancelled = await cancelQueuedMessages(trx, campaign.id, now);
  await audit(trx, ctx, actor, { orgId: campaign.orgId, action: 'campaign.cancelled', target: { type: 'campaign', id: campaign.id }, data: { cancelled } });
}

/** Failed messages are queued again (a paused campaign keeps them held until it resumes). */
export async function retryFailedMessages(trx: Db, ctx: Ctx, actor: Actor, campaign: Campaign): Promise<number> {
  const now = ctx.clock.now().toISOString();
  const status = (await getCampaign(trx, campaign.orgId, campaign.eventId, campaign.id)).status;
  if (status === 'finished') await changeCampaignStatus(trx, campaign.orgId, campaign.id, ['finished'], { status: 'sending', finished_at: null, updated_at: now });
  else if (status !== 'sending' && status !== 'paused') throw refuse('Failed messages can be retried once the campaign has started, unless it was cancelled');
  const retried = await requeueFailedMessages(trx, campaign.id, { nextAttemptAt: status === 'paused' ? PARKED_UNTIL : now, now });
  await audit(trx, ctx, actor, { orgId: campaign.orgId, action: 'campaign.retried', target: { type: 'campaign', id: campaign.id }, data: { retried } });
  return retried;
}

export async function campaignProgress(db: Db, campaign: Campaign): Promise<CampaignProgress> {
  const counts = await campaignDeliveryCounts(db, campaign.orgId, campaign.id);
  const progress = { paused: await countParkedMessages(db, campaign.orgId, campaign.id), total: 0 } as CampaignProgress;
  for (const status of OUTBOX_STATUSES) {
    progress[status] = counts[status] ?? 0;
    progress.total += progress[status];
  }
  return progress;
}

export async function listCampaignMessages(
  db: Db,
  campaign: Campaign,
  options: { status?: OutboxStatus | undefined; after?: string | undefined; limit?: number },
): Promise<CampaignMessagePage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const after = options.after && isId(options.after) ? options.after : undefined;
  const rows = await findCampaignMessages(db, campaign.orgId, campaign.id, { status: options.status, after, limit: limit + 1 });
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
}
