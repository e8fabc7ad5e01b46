// The availability_link merge tag registers itself on load.
import './availability-tag.js';

export * from './meeting.types.js';
export { AVAILABILITY_TAG } from './availability-tag.js';
export { MAX_DAYS, MAX_SLOTS, SLOT_MINUTES_RANGE, slotsOf } from './slots.js';
export {
  answerAvailability,
  availabilityGrid,
  availabilityOf,
  closeMeetingCampaign,
  createMeetingCampaign,
  getMeetingCampaign,
  isMeetingCampaignClosed,
  isMeetingRecipient,
  listMeetingCampaigns,
  openMeetingCampaign,
  updateMeetingCampaign,
  type AnswerInput,
} from './meeting.service.js';
export { exportAvailability } from './availability-csv.js';
