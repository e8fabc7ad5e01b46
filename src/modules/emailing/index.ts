// The built-in recipient data tags register themselves on load.
import './recipient-tags.js';

export * from './emailing.types.js';
export { FIELDS_NAMESPACE, findMergeTag, listMergeTags, registerMergeTag, type InlineHtml, type MergeTag, type MergeTagContext } from './merge-tags.js';
export { formatInZone } from './recipient-tags.js';
export { isPersonalPath, PERSONAL_PATH_PREFIXES } from './personal-paths.js';
export { checkTemplateSources, registerTagCheck, type ProblemRule, type TagCheck, type TemplateProblem, type TemplateSources } from './template-check.js';
export { lintTemplate, type LintOptions } from './template-lint.js';
export { headerSafe, renderEmail, TemplateRenderError } from './render.js';
export {
  checkTemplate,
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  updateTemplate,
  type EmailingSettings,
} from './template.service.js';
export { installEventTemplate, linkTemplate, listEmailActions, registerEmailAction, templateForAction, unlinkTemplate, type BuiltInTemplate, type EmailAction } from './template-link.service.js';
export { campaignDeliveryCounts, enqueueEmail, enqueueEmails, suppressAddress, unsuppressAddress } from './outbox.service.js';
export { loadRecipients, recipientKey, type RecipientKey } from './recipients.js';
export { findTemplatesByIds } from './template.repository.js';
export { claimDueRows, extendLeases, markFinal, markSentMany, releaseClaimsOf, releaseForRetry, type ClaimOptions } from './outbox.repository.js';
export * from './campaign.index.js';
export * from './suppression.index.js';
