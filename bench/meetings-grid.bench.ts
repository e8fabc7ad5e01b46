/**
 * Meeting planners' grid at size: BENCH_PEOPLE participants (default 2,000) sent the link of a
 * 3-day campaign of 48 half-hour slots, three in four of them answered (a third of the slots
 * ticked each). Times the grid read, the planners' page and the CSV export, each 5 times, through
 * the real app (app.inject: routing, session, rendering; no socket) on a real database.
 *
 *   npx tsx bench/meetings-grid.bench.ts                          SQLite in a temporary directory
 *   TEST_DATABASE_URL=postgres://... npx tsx bench/meetings-grid.bench.ts   PostgreSQL (throwaway database)
 */
import { loadavg } from 'node:os';
import { createTestApp } from '../test/helpers/app.js';
import { seedOrganisation, signedIn } from '../test/helpers/fixtures.js';
import { systemActor } from '../src/lib/context.js';
import { createEvent } from '../src/modules/events/index.js';
import { createParticipant } from '../src/modules/participants/index.js';
import { answerAvailability, availabilityGrid, createMeetingCampaign, slotsOf } from '../src/modules/meetings/index.js';

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 2_000);
const RUNS = 5;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e6, value];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const t = await createTestApp();
try {
  const org = await seedOrganisation(t);
  const owner = await signedIn(t, org.ownerEmail);
  const event = await createEvent(t.db, t.ctx, systemActor, org.orgId, { name: 'Big', startsAt: '2026-09-14T07:00:00.000Z', endsAt: '2026-09-16T16:00:00.000Z', timeZone: 'Europe/Paris' });
  const campaign = await createMeetingCampaign(t.db, t.ctx, systemActor, org.orgId, event.id, {
    name: 'Meetings',
    firstDay: '2026-09-14',
    lastDay: '2026-09-16',
    dayStarts: '09:00',
    dayEnds: '17:00',
    slotMinutes: 30,
    closesAt: '2026-09-10T00:00:00.000Z',
  });
  const slots = slotsOf(campaign).map((s) => s.key);
  for (let i = 0; i < PEOPLE; i++) {
    const p = await createParticipant(t.db, t.ctx, systemActor, org.orgId, event.id, { email: `p${i}@example.org`, firstName: `P${i}`, lastName: 'Bench', status: 'registered' });
    await t.db.insertInto('meeting_recipients').values({ campaign_id: campaign.id, participant_id: p.id, org_id: org.orgId, first_sent_at: t.clock.now().toISOString() }).execute();
    if (i % 4 !== 0) await t.db.transaction().execute((trx) => answerAvailability(trx, t.ctx, systemActor, { campaign, participantId: p.id, available: slots.filter((_, j) => (i + j) % 3 === 0) }));
  }
  const page = `/admin/o/${org.orgId}/events/${event.id}/meetings/${campaign.id}`;
  const figures: Record<string, number[]> = { grid: [], page: [], csv: [] };
  let sizes = { page: 0, csv: 0 };
  for (let run = 0; run < RUNS; run++) {
    figures.grid!.push((await timed(() => availabilityGrid(t.db, campaign)))[0]);
    const [pageMs, html] = await timed(() => owner.get(page));
    const [csvMs, csv] = await timed(() => owner.get(`${page}/availability.csv`));
    if (html.statusCode !== 200 || csv.statusCode !== 200) throw new Error(`status ${html.statusCode} / ${csv.statusCode}`);
    figures.page!.push(pageMs);
    figures.csv!.push(csvMs);
    sizes = { page: html.body.length, csv: csv.body.length };
  }
  console.log(`${t.dialect}: ${PEOPLE} people x ${slots.length} slots, median of ${RUNS}`);
  console.log(`  grid read     ${median(figures.grid!).toFixed(0)} ms`);
  console.log(`  planners page ${median(figures.page!).toFixed(0)} ms (${(sizes.page / 1e6).toFixed(2)} MB)`);
  console.log(`  CSV export    ${median(figures.csv!).toFixed(0)} ms (${(sizes.csv / 1e6).toFixed(2)} MB)`);
  console.log(`  load average  ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  await t.close();
}
