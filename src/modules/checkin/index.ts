export * from './checkin.types.js';
export { createSession, deleteSession, getSession, listSessions, updateSession } from './session.service.js';
export { ATTENTION_NOTE_MAX, getAttentionNote, setAttentionNote } from './attention-note.service.js';
export { OFFLINE_BATCH_MAX, checkIn, uploadOfflineScans } from './checkin.service.js';
export { BUNDLE_PAGE_MAX, SYNC_OVERLAP_MS, offlineBundle, type BundlePerson, type OfflineBundle } from './offline-bundle.service.js';
export { checkInStats, listConflicts, type CheckInStats, type PointCount } from './dashboard.service.js';
export { normaliseCode } from './qr-verdict.js';
