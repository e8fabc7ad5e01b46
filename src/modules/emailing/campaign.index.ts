// Campaigns, previews, send tests and action links: re-exported by index.ts in one line, so this
// surface grows here without touching the module's main index.
export * from './campaign.types.js';
export { MAX_SELECTED, normaliseAudience } from './audience.js';
export {
  campaignAudienceCount,
  campaignProgress,
  cancelCampaign,
  createCampaign,
  getCampaign,
  listCampaignMessages,
  listCampaigns,
  pauseCampaign,
  resumeCampaign,
  retryFailedMessages,
  scheduleCampaign,
  startCampaign,
  unscheduleCampaign,
} from './campaign.service.js';
export { dueCampaigns, settleCampaigns, type Settled } from './campaign-scheduling.js';
export { personalTagsOf, previewPlaceholder, previewTemplate, renderPreview, type Preview } from './template-preview.js';
export { MAX_TEST_RECIPIENTS, MIN_TEST_RECIPIENTS, SEND_TEST_DATA, sendTemplateTest, type SharedValue } from './send-test.service.js';
export { listActionLinks, type ActionLinks } from './action-links.js';
