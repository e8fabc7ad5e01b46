export * from './participant.types.js';
export { checkParticipant, type Checked, type Problem } from './participant.validation.js';
export {
  contactEmailChanged,
  createParticipant,
  existingParticipantEmails,
  getParticipant,
  getParticipantsByIds,
  listParticipants,
  participantCounts,
  participantCountsByEvent,
  updateParticipant,
  upsertParticipants,
  type UpsertOptions,
  type UpsertResult,
} from './participant.service.js';
export { listParticipantAddresses, type ParticipantAddress, type ParticipantAddressPage } from './participant-addresses.js';
export { findParticipantByEmail } from './participant-by-email.js';
export { moveParticipations, type DroppedParticipation } from './participant-merge.js';
export {
  onParticipantsRegistered,
  onParticipantStatusChanged,
  type RegisteredHook,
  type StatusChange,
  type StatusChangedHook,
} from './registration-hooks.js';
