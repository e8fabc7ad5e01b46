export * from './badge.types.js';
export {
  badgeLayoutFor,
  checkBadgeLayout,
  createBadgeLayout,
  deleteBadgeLayout,
  getBadgeLayout,
  listBadgeLayouts,
  sourceAllowed,
  updateBadgeLayout,
} from './badge-layout.service.js';
export { badgeCounts, bulkBadgePdf, participantBadgePdf, sampleBadgePdf, type BadgeCounts, type BadgeDownload } from './badge.service.js';
export { toWinAnsi } from './badge-pdf.js';
