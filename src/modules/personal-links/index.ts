export { LANDING_PREFIX, landingUrl } from './link-url.js';
export { mintLinkFor, registerPersonalLinkTag, type PersonalLinkTag } from './link-tags.js';
export { FRESH_LINK_ACTION, sendFreshLink } from './fresh-link.js';
