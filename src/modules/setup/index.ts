export { completeSetup, createOrganisationWithOwner, issueSetupToken, setupTokenUsable, type OwnerInput } from './setup.service.js';
