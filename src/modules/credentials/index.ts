export * from './credential.types.js';
export { claimedPurpose } from './credential-format.js';
export { expiryFor, EMAIL_CHANGE_HOURS, EMAIL_VERIFY_HOURS, PASSWORD_RESET_MINUTES, PREVIEW_MINUTES, SIGNIN_MINUTES, TEST_LINK_HOURS, UNTIL_REVOKED, WEBAPP_GRACE_DAYS, type LifetimeInput } from './credential-lifetime.js';
export {
  getCredential,
  inspectLink,
  linkInvalid,
  listSubjectCredentials,
  mintCredential,
  redeemCredential,
  revokeCredentials,
  type RevokeInput,
} from './credential.service.js';
