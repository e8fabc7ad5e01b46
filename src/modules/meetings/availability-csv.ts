import { stringify } from 'csv-stringify/sync';
import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { neutraliseCell } from '../../lib/csv-safety.js';
import { redactTokens } from '../../lib/tokens.js';
import { audit } from '../audit/index.js';
import { availabilityGrid } from './meeting.service.js';
import type { MeetingCampaign } from './meeting.types.js';

// Names and emails are attendee-typed text: a leading = or + must not become a formula, and a
// credential pasted into a name never leaves in an export.
const cell = (value: string) => neutraliseCell(redactTokens(value));

/**
 * The planners' grid as CSV: one row per person (those who answered, then those yet to answer,
 * with empty cells), one column per slot named by its local start and end, and a last row with
 * the count per slot. Audited: it carries names and email addresses.
 */
export async function exportAvailability(db: Db, ctx: Ctx, actor: Actor, campaign: MeetingCampaign): Promise<string> {
  const grid = await availabilityGrid(db, campaign);
  const header = ['Name', 'Email', 'Answered at (UTC)', ...grid.slots.map((s) => `${s.day} ${s.start}-${s.end}`)];
  const rows = [
    ...grid.rows.map((r) => [cell(r.name), cell(r.email), r.answeredAt, ...grid.slots.map((s) => (r.available.has(s.key) ? 'yes' : 'no'))]),
    ...grid.pending.map((p) => [cell(p.name), cell(p.email), 'not answered', ...grid.slots.map(() => '')]),
    ['Available', '', '', ...grid.slots.map((s) => String(grid.counts[s.key] ?? 0))],
  ];
  await audit(db, ctx, actor, { orgId: campaign.orgId, action: 'meeting_campaign.exported', target: { type: 'meeting_campaign', id: campaign.id }, data: { answered: grid.rows.length, pending: grid.pending.length } });
  return stringify([header, ...rows], { bom: true, record_delimiter: 'windows' });
}
