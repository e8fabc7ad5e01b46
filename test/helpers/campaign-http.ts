import assert from 'node:assert/strict';
import type { Session } from './browser-session.js';

/**
 * Creates a campaign to these participants through the back-office form and sends it now, as an
 * admin would; returns its id. `base` is the event's `/admin/o/:org/events/:event/campaigns`.
 */
export async function startCampaignVia(session: Session, base: string, templateId: string, participantIds: string[], name = 'Campaign'): Promise<string> {
  const created = await session.post(base, { name, template_id: templateId, ids: participantIds.join('\n') });
  assert.equal(created.statusCode, 303, created.body.slice(0, 300));
  const id = /campaigns\/([0-9a-z]{26})/.exec(created.headers.location ?? '')?.[1];
  assert.ok(id, 'redirected to the campaign page');
  assert.equal((await session.post(`${base}/${id}/send`, {})).statusCode, 303);
  return id;
}

/** Runs a worker until the outbox has nothing due. */
export async function drain(worker: { runOnce(): Promise<{ claimed: number }> }): Promise<void> {
  while ((await worker.runOnce()).claimed > 0);
}
