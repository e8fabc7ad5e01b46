/**
 * Creating a campaign's outbox for 100,000 recipients: the "send now" (or scheduler) step that
 * reads the audience a keyset page at a time and writes one outbox row per recipient, all in one
 * transaction. Target: at most 5 s (issue 3), on SQLite and on PostgreSQL (DATABASE_URL).
 *
 * The 100,000 participants are seeded by a child process, so the peak RSS printed here is that
 * of the outbox creation (plus runtime and modules), not of the seeding import.
 *
 *   npx tsx bench/campaign-outbox.bench.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:55433/postgres npx tsx bench/campaign-outbox.bench.ts
 *   BENCH_ROWS=20000 npx tsx bench/campaign-outbox.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connect } from '../src/db/connection.js';
import { campaignProgress, createCampaign, createTemplate, getCampaign, listCampaignMessages, startCampaign } from '../src/modules/emailing/index.js';
import { actor, ctx, machine, seedEvent } from './seed.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const TARGET_SECONDS = 5;

interface Seeded {
  dataDir: string;
  databaseUrl: string | null;
  orgId: string;
  eventId: string;
}

async function seedOnly(): Promise<void> {
  const { config, handle, orgId, eventId } = await seedEvent(ROWS);
  await handle.close();
  const seeded: Seeded = { dataDir: config.dataDir, databaseUrl: config.databaseUrl, orgId, eventId };
  process.stdout.write(`${JSON.stringify(seeded)}\n`);
}

function seedInChild(): Seeded {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--seed'], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`seeding failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Seeded;
}

const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function main(): Promise<void> {
  const seedStart = performance.now();
  const seeded = seedInChild();
  console.log(`seeded ${ROWS.toLocaleString('en')} participants in a child process (${((performance.now() - seedStart) / 1000).toFixed(1)} s)`);
  const handle = connect({ databaseUrl: seeded.databaseUrl, dataDir: seeded.dataDir });
  const { db, dialect } = handle;
  try {
    console.log(`Tessera campaign outbox benchmark on ${dialect}, ${machine()}; baseline peak RSS ${rssMb()} MB`);
    const settings = { publicUrl: new URL('https://tessera.example') };
    const template = await createTemplate(db, ctx, actor, seeded.orgId, seeded.eventId, { type: 'custom', name: 'Bench', subject: 'Hello {{ first_name }}', html: '<p>Dear {{ full_name }}</p>' }, settings);
    const audience = { ids: [], statuses: [], fields: {}, q: '' };
    const created = await createCampaign(db, ctx, actor, seeded.orgId, seeded.eventId, { name: 'Everyone', templateId: template.id, audience });
    const campaign = await getCampaign(db, seeded.orgId, seeded.eventId, created.id);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const started = await db.transaction().execute((trx) => startCampaign(trx, ctx, dialect, actor, campaign));
    const seconds = (performance.now() - start) / 1000;
    const cpuSeconds = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1e6;
    const rows = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();
    if (!started || Number(rows.n) !== ROWS) throw new Error(`expected ${ROWS} outbox rows, found ${rows.n}`);
    const verdict = seconds <= TARGET_SECONDS ? 'within' : 'OVER';
    console.log(
      `outbox for ${ROWS.toLocaleString('en')} recipients: ${seconds.toFixed(2)} s (${Math.round(ROWS / seconds).toLocaleString('en')} rows/s, cpu ${cpuSeconds.toFixed(2)} s), ` +
        `${verdict} the ${TARGET_SECONDS} s target; peak RSS ${rssMb()} MB`,
    );
    // What the campaign page reads at this size: progress counts and a page of recipients.
    const sending = await getCampaign(db, seeded.orgId, seeded.eventId, campaign.id);
    const timed = async (label: string, fn: () => Promise<unknown>) => {
      await fn();
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) await fn();
      return `${label} ${((performance.now() - t0) / 5).toFixed(1)} ms`;
    };
    const page = await listCampaignMessages(db, sending, {});
    console.log(
      `campaign page at ${ROWS.toLocaleString('en')} messages: ${[
        await timed('progress', () => campaignProgress(db, sending)),
        await timed('first page', () => listCampaignMessages(db, sending, {})),
        await timed('next page', () => listCampaignMessages(db, sending, { after: page.next ?? undefined })),
        await timed('queued only', () => listCampaignMessages(db, sending, { status: 'queued' })),
      ].join(', ')}`,
    );
  } finally {
    // PostgreSQL is a shared server: the bench removes its organisation (everything cascades).
    if (seeded.databaseUrl) await db.deleteFrom('organisations').where('id', '=', seeded.orgId).execute();
    await handle.close();
    if (!seeded.databaseUrl) rmSync(seeded.dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--seed')) await seedOnly();
else await main();
