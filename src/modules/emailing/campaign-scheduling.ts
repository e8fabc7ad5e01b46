import type { Db } from '../../db/database.js';
import { systemActor, type Ctx } from '../../lib/context.js';
import { audit } from '../audit/index.js';
import { cancelQueuedMessages, findCampaignsInStatus, findDueCampaigns, finishIdleCampaigns, parkQueuedMessages } from './campaign.repository.js';
import type { Campaign } from './campaign.types.js';

// A message in flight when its campaign was cancelled can come back as queued (a retry) for as
// long as the worker retries: about two hours. Cancelled campaigns are watched a while longer.
const CANCEL_WATCH_MS = 6 * 3_600_000;

/** Scheduled campaigns whose time has come, oldest first; the schedule lives in the database. */
export async function dueCampaigns(db: Db, ctx: Ctx, limit = 10): Promise<Campaign[]> {
  return findDueCampaigns(db, ctx.clock.now().toISOString(), limit);
}

export interface Settled {
  finished: number;
  held: number;
  cancelled: number;
}

/**
 * What the scheduler does on every tick besides starting due campaigns:
 * - a sending campaign with nothing left queued or in flight is finished;
 * - a message of a paused campaign that the worker put back in the queue (a retry after a
 *   temporary failure, or a restarted worker's claim) is held again;
 * - likewise, such a message of a cancelled campaign is cancelled.
 */
export async function settleCampaigns(db: Db, ctx: Ctx): Promise<Settled> {
  const now = ctx.clock.now();
  const iso = now.toISOString();
  const finished = await finishIdleCampaigns(db, iso);
  for (const c of finished) await audit(db, ctx, systemActor, { orgId: c.org_id, action: 'campaign.finished', target: { type: 'campaign', id: c.id }, data: {} });
  let held = 0;
  for (const c of await findCampaignsInStatus(db, 'paused')) held += await parkQueuedMessages(db, c.id, iso);
  let cancelled = 0;
  const since = new Date(now.getTime() - CANCEL_WATCH_MS).toISOString();
  for (const c of await findCampaignsInStatus(db, 'cancelled', since)) cancelled += await cancelQueuedMessages(db, c.id, iso);
  return { finished: finished.length, held, cancelled };
}
