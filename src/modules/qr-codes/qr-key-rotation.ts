import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { resealEventKey } from './qr-keys.js';

export interface ResealReport {
  resealed: number;
  /** Sealed with a key no longer configured: that event's codes cannot be signed any more. */
  unreadable: number;
}

/**
 * `tessera rotate-keys`: every event signing key sealed under a previous TESSERA_ENCRYPTION_KEY
 * is sealed again under the current one. The key pair itself does not change, so printed badges
 * and emailed codes stay valid.
 */
export async function resealQrSigningKeys(db: Db, ctx: Ctx): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, unreadable: 0 };
  const rows = await db.selectFrom('qr_event_keys').select(['event_id', 'sealed_private_key']).execute();
  for (const row of rows) {
    const outcome = resealEventKey(ctx.keys, row.event_id, row.sealed_private_key);
    if (!outcome) continue;
    if ('unreadable' in outcome) {
      report.unreadable += 1;
      continue;
    }
    await db.updateTable('qr_event_keys').set({ sealed_private_key: outcome.sealed }).where('event_id', '=', row.event_id).execute();
    report.resealed += 1;
  }
  return report;
}
