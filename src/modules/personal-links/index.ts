export { LANDING_PREFIX, landingUrl, publicPageUrl } from './link-url.js';
export { mintLinkFor, registerPersonalLinkTag, type PersonalLinkTag } from './link-tags.js';
export { FRESH_LINK_ACTION, sendFreshLink } from './fresh-link.js';
export {
  CREDENTIAL_PURPOSES,
  RECENTLY_DEAD_DAYS,
  countActiveLinks,
  listParticipantLinks,
  revokeEventLinks,
  revokeParticipantLinks,
  type LinkOrigin,
  type LinkStatus,
  type ParticipantRevocation,
  type PersonalLinkSummary,
} from './link-admin.service.js';
