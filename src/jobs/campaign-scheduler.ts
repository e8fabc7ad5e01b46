import type { Kysely } from 'kysely';
import type { Database, Dialect } from '../db/database.js';
import { systemActor, type Ctx } from '../lib/context.js';
import { dueCampaigns, settleCampaigns, startCampaign } from '../modules/emailing/index.js';
import type { WorkerLog } from './outbox-worker.js';

export interface CampaignSchedulerOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  ctx: Ctx;
  /** Wait between ticks. */
  pollMs?: number;
  log: WorkerLog;
}

export interface TickResult {
  started: number;
  finished: number;
  held: number;
  cancelled: number;
}

export interface CampaignScheduler {
  runOnce(): Promise<TickResult>;
  stop(): Promise<void>;
}

/**
 * One tick: start every scheduled campaign whose time has come (each in its own transaction: the
 * status change and all its outbox rows commit together or not at all), then settle running
 * campaigns (finish, hold, cancel; see settleCampaigns). The schedule is read from the database
 * on every tick, so a restart loses nothing and any number of app nodes may run this: starting
 * is one conditional update, which only one node wins.
 */
export function createCampaignScheduler(options: Omit<CampaignSchedulerOptions, 'pollMs' | 'log'>): Pick<CampaignScheduler, 'runOnce'> {
  const { db, dialect, ctx } = options;
  async function runOnce(): Promise<TickResult> {
    let started = 0;
    const now = ctx.clock.now().toISOString();
    for (const campaign of await dueCampaigns(db, ctx)) {
      if (await db.transaction().execute((trx) => startCampaign(trx, ctx, dialect, systemActor, campaign, { dueBy: now }))) started += 1;
    }
    return { started, ...(await settleCampaigns(db, ctx)) };
  }
  return { runOnce };
}

/** Ticks every `pollMs` (1 s by default); `stop()` lets the tick in progress finish. */
export function startCampaignScheduler(options: CampaignSchedulerOptions): CampaignScheduler {
  const scheduler = createCampaignScheduler(options);
  const pollMs = options.pollMs ?? 1_000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;

  async function loop(): Promise<void> {
    while (!stopped) {
      try {
        const result = await scheduler.runOnce();
        if (result.started > 0) options.log.info({ ...result }, 'campaigns started');
      } catch (err) {
        options.log.error({ err }, 'campaign scheduler tick failed');
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, pollMs);
        wake = resolve;
      });
    }
  }
  const running = loop();
  return {
    runOnce: scheduler.runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await running;
    },
  };
}
