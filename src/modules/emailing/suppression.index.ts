// Unsubscribe links, hard bounces and suppressions: the part of the emailing module's public
// surface that decides who must not be mailed (re-exported by index.ts).
import './unsubscribe-tag.js';

export { INVALID_ADDRESS, isMarketingMessage, isMarketingType, MARKETING_TEMPLATE_TYPES, suppressionSkipReason, suppressionText } from './marketing.js';
export { listUnsubscribeHeaders, signUnsubscribeToken, unsubscribeKey, unsubscribeKeys, unsubscribeUrl, verifyUnsubscribeToken } from './unsubscribe-token.js';
export {
  addSuppression,
  listSuppressions,
  loadSuppressionIndex,
  recordHardBounce,
  removeSuppression,
  skipReasonAtSend,
  SUPPRESSION_REASONS,
  SUPPRESSION_SCOPES,
  type Suppression,
  type SuppressionIndex,
  type SuppressionInput,
  type SuppressionPage,
} from './suppression.service.js';
export { findUnsubscribeTarget, resubscribe, unsubscribe, type UnsubscribeTarget } from './unsubscribe.service.js';
