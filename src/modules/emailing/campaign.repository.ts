import type { CampaignsTable, CampaignStatus, Db, OutboxStatus } from '../../db/database.js';
import type { Campaign, CampaignAudience, CampaignMessage } from './campaign.types.js';

/**
 * A paused campaign's queued messages are "parked": due at the end of time, so the worker's claim
 * (`next_attempt_at <= now`, on the due index) never reaches them, and resuming makes them due
 * again. This needs no outbox status beyond migration 0003's and no change to the claim query.
 */
export const PARKED_UNTIL = '9999-12-31T23:59:59.999Z';

export function campaignFromRow(row: CampaignsTable): Campaign {
  return {
    id: row.id,
    orgId: row.org_id,
    eventId: row.event_id,
    templateId: row.template_id,
    name: row.name,
    audience: JSON.parse(row.audience) as CampaignAudience,
    status: row.status,
    scheduledAt: row.scheduled_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    recipientCount: Number(row.recipient_count),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertCampaign(db: Db, row: CampaignsTable): Promise<void> {
  await db.insertInto('campaigns').values(row).execute();
}

export async function findCampaign(db: Db, orgId: string, eventId: string, id: string): Promise<Campaign | null> {
  const row = await db.selectFrom('campaigns').selectAll().where('org_id', '=', orgId).where('event_id', '=', eventId).where('id', '=', id).executeTakeFirst();
  return row ? campaignFromRow(row) : null;
}

export async function findCampaigns(db: Db, orgId: string, eventId: string): Promise<Campaign[]> {
  const rows = await db.selectFrom('campaigns').selectAll().where('org_id', '=', orgId).where('event_id', '=', eventId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(500).execute();
  return rows.map(campaignFromRow);
}

/**
 * Moves a campaign from one of `from` to a new status in one statement; false when it was not in
 * any of them (any more). Two app nodes, or two clicks, racing on one campaign: one wins.
 */
export async function changeCampaignStatus(
  db: Db,
  orgId: string,
  id: string,
  from: readonly CampaignStatus[],
  values: Partial<CampaignsTable>,
  options: { dueBy?: string } = {},
): Promise<boolean> {
  let query = db.updateTable('campaigns').set(values).where('org_id', '=', orgId).where('id', '=', id).where('status', 'in', [...from]);
  // The scheduler starts a campaign only if nobody moved its time since it was found due.
  if (options.dueBy) query = query.where('scheduled_at', '<=', options.dueBy);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updateCampaignRow(db: Db, orgId: string, id: string, values: Partial<CampaignsTable>): Promise<void> {
  await db.updateTable('campaigns').set(values).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Scheduled campaigns whose time has come, across organisations (campaigns_due_idx). */
export async function findDueCampaigns(db: Db, now: string, limit: number): Promise<Campaign[]> {
  const rows = await db.selectFrom('campaigns').selectAll().where('status', '=', 'scheduled').where('scheduled_at', '<=', now).orderBy('scheduled_at').limit(limit).execute();
  return rows.map(campaignFromRow);
}

export async function findCampaignsInStatus(db: Db, status: CampaignStatus, updatedSince?: string): Promise<Array<Pick<CampaignsTable, 'id' | 'org_id'>>> {
  let query = db.selectFrom('campaigns').select(['id', 'org_id']).where('status', '=', status);
  if (updatedSince) query = query.where('updated_at', '>=', updatedSince);
  return query.execute();
}

// Every statement below names the campaign first, so it runs on outbox_campaign_idx.

export async function parkQueuedMessages(db: Db, campaignId: string, now: string): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ next_attempt_at: PARKED_UNTIL, updated_at: now })
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'queued')
    .where('next_attempt_at', '<', PARKED_UNTIL)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function unparkMessages(db: Db, campaignId: string, now: string): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ next_attempt_at: now, updated_at: now })
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'queued')
    .where('next_attempt_at', '=', PARKED_UNTIL)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function cancelQueuedMessages(db: Db, campaignId: string, now: string): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: 'The campaign was cancelled', updated_at: now })
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Failed messages start over: attempts back to 0, or the worker would give up on them at once. */
export async function requeueFailedMessages(db: Db, campaignId: string, values: { nextAttemptAt: string; now: string }): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'queued', attempts: 0, next_attempt_at: values.nextAttemptAt, claimed_by: null, claimed_until: null, updated_at: values.now })
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function hasUnfinishedMessages(db: Db, campaignId: string): Promise<boolean> {
  const row = await db.selectFrom('outbox').select('id').where('campaign_id', '=', campaignId).where('status', 'in', ['queued', 'sending']).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function countParkedMessages(db: Db, orgId: string, campaignId: string): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'queued')
    .where('org_id', '=', orgId)
    .where('next_attempt_at', '=', PARKED_UNTIL)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page of a campaign's messages in id (creation) order, optionally of one status. */
export async function findCampaignMessages(
  db: Db,
  orgId: string,
  campaignId: string,
  options: { status?: OutboxStatus | undefined; after?: string | undefined; limit: number },
): Promise<CampaignMessage[]> {
  let query = db
    .selectFrom('outbox')
    .select(['id', 'recipient_id', 'to_email', 'to_name', 'status', 'attempts', 'last_error', 'sent_at', 'next_attempt_at', 'updated_at'])
    .where('campaign_id', '=', campaignId)
    .where('org_id', '=', orgId);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.after) query = query.where('id', '>', options.after);
  const rows = await query.orderBy('id').limit(options.limit).execute();
  return rows.map((row) => ({
    id: row.id,
    participantId: row.recipient_id,
    email: row.to_email,
    name: row.to_name,
    status: row.status,
    paused: row.status === 'queued' && row.next_attempt_at === PARKED_UNTIL,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    sentAt: row.sent_at,
    updatedAt: row.updated_at,
  }));
}

/**
 * Marks finished every sending campaign with no message left to send, in one statement: a retry
 * committed in between cannot be overtaken by a check made earlier.
 */
export async function finishIdleCampaigns(db: Db, now: string): Promise<Array<Pick<CampaignsTable, 'id' | 'org_id'>>> {
  return db
    .updateTable('campaigns')
    .set({ status: 'finished', finished_at: now, updated_at: now })
    .where('status', '=', 'sending')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('outbox')
            .select('outbox.id')
            .whereRef('outbox.campaign_id', '=', 'campaigns.id')
            .where('outbox.status', 'in', ['queued', 'sending']),
        ),
      ),
    )
    .returning(['id', 'org_id'])
    .execute();
}
