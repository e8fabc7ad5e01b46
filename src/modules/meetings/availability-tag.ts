import { registerTagCheck, TemplateRenderError, type MergeTagContext } from '../emailing/index.js';
import { registerPersonalLinkTag } from '../personal-links/index.js';
import { openMeetingCampaign, recordMeetingRecipient } from './meeting.service.js';
import type { MeetingCampaign } from './meeting.types.js';

export const AVAILABILITY_TAG = 'availability_link';

// The tag's expiry and data both need the campaign: looked up once per message.
const perMessage = new WeakMap<MergeTagContext, Promise<MeetingCampaign>>();

function campaignFor(m: MergeTagContext): Promise<MeetingCampaign> {
  let found = perMessage.get(m);
  if (!found) {
    found = (async () => {
      const campaign = m.event ? await openMeetingCampaign(m.db, m.orgId, m.event.id, m.ctx.clock.now()) : null;
      if (!campaign) throw new TemplateRenderError(`availability_link: ${m.event?.name ?? 'the event'} has no open availability campaign`);
      return campaign;
    })();
    perMessage.set(m, found);
  }
  return found;
}

/**
 * `{{ availability_link }}`: a personal link to the event's open availability campaign. The
 * credential names the campaign (so it answers that campaign and no other) and expires when
 * answers close. Each real send also records the recipient, so planners see who has not answered.
 */
registerPersonalLinkTag({
  name: AVAILABILITY_TAG,
  description: "A personal link to the event's open meeting availability campaign, where the recipient marks when they are free",
  purpose: 'meeting',
  expiresAt: async (m) => (await campaignFor(m)).closesAt,
  data: async (m) => {
    const campaign = await campaignFor(m);
    if (m.mode === 'send' && m.data['send_test'] !== 'true') await recordMeetingRecipient(m.db, m.ctx, campaign, m.recipient.id);
    return { campaign: campaign.id };
  },
});

// Saving an event's template that uses the tag while nothing is open would only fail later, per message.
registerTagCheck(AVAILABILITY_TAG, async (db, orgId, eventId, now) =>
  (await openMeetingCampaign(db, orgId, eventId, now))
    ? null
    : `{{ ${AVAILABILITY_TAG} }} links to the event's open availability campaign, and this event has none open: create one under Meetings first`,
);
