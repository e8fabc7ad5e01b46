import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { seedOrganisation } from '../../test/helpers/fixtures.js';
import { seedMailing } from '../../test/helpers/outbox.js';
import { systemActor } from '../lib/context.js';
import { createCampaign, getCampaign, scheduleCampaign, type CampaignAudience } from '../modules/emailing/index.js';
import { createCampaignScheduler, startCampaignScheduler } from './campaign-scheduler.js';

const everyone: CampaignAudience = { ids: [], statuses: [], fields: {}, q: '' };
const silent = { info: () => {}, warn: () => {}, error: () => {} };

async function scheduled(t: TestApp, people: number, audience = everyone) {
  const { orgId } = await seedOrganisation(t);
  const list = Array.from({ length: people }, (_, i) => ({ email: `p${i}@example.org`, firstName: `P${i}`, lastName: 'X' }));
  const { event, template } = await seedMailing(t, orgId, list);
  const campaign = await createCampaign(t.db, t.ctx, systemActor, orgId, event.id, { name: 'C', templateId: template.id, audience });
  await scheduleCampaign(t.db, t.ctx, systemActor, campaign, new Date(t.clock.now().getTime() + 60_000).toISOString());
  return { orgId, eventId: event.id, id: campaign.id };
}

const outboxCount = async (t: TestApp, campaignId: string) =>
  Number((await t.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow()).n);

test('the running scheduler starts a due campaign by itself, and stops cleanly', async () => {
  const t = await createTestApp();
  try {
    const c = await scheduled(t, 3);
    const scheduler = startCampaignScheduler({ db: t.db, dialect: t.dialect, ctx: t.ctx, pollMs: 10, log: silent });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await outboxCount(t, c.id), 0, 'not before its time');
    t.clock.advance(60_000);
    for (let i = 0; i < 200 && (await outboxCount(t, c.id)) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await scheduler.stop();
    assert.equal(await outboxCount(t, c.id), 3);
    assert.equal((await getCampaign(t.db, c.orgId, c.eventId, c.id)).status, 'sending');
  } finally {
    await t.close();
  }
});

test('two schedulers racing for one due campaign start it once', async () => {
  const t = await createTestApp();
  try {
    const c = await scheduled(t, 40);
    t.clock.advance(60_000);
    const [a, b] = [createCampaignScheduler(t), createCampaignScheduler(t)];
    const results = await Promise.all([a.runOnce(), b.runOnce()]);
    assert.equal(results[0].started + results[1].started, 1);
    assert.equal(await outboxCount(t, c.id), 40, 'one message per recipient, not two');
  } finally {
    await t.close();
  }
});

test('a campaign whose audience is empty when it starts finishes at once', async () => {
  const t = await createTestApp();
  try {
    const c = await scheduled(t, 2, { ...everyone, statuses: ['declined'] });
    t.clock.advance(60_000);
    assert.equal((await createCampaignScheduler(t).runOnce()).started, 1);
    const campaign = await getCampaign(t.db, c.orgId, c.eventId, c.id);
    assert.deepEqual([campaign.status, campaign.recipientCount], ['finished', 0]);
  } finally {
    await t.close();
  }
});
