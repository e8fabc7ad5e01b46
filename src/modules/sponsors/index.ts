// The permalink email action and the sponsor_link merge tag register themselves on load.
import './sponsor-tags.js';

export * from './sponsor.types.js';
export { SPONSOR_PERMALINK_ACTION } from './sponsor-tags.js';
export { sniffLogo } from './sponsor-logo.js';
export {
  addSponsorContact,
  createSponsor,
  getSponsor,
  getSponsorContact,
  getSponsorLogo,
  listSponsorContacts,
  listSponsors,
  removeSponsorLogo,
  setSponsorLogo,
  updateSponsor,
} from './sponsor.service.js';
export { deleteSponsor, permalinkStatuses, removeSponsorContact, revokeSponsorPermalinks, sendSponsorPermalink } from './sponsor-permalink.service.js';
export { collectBoothLead, listBoothLeads, MAX_BOOTH_LEADS } from './sponsor-leads.service.js';
export { endSponsorSession, resolveSponsorSession, sponsorActor, startSponsorSession } from './sponsor-session.service.js';
