export type { ContactFilter, ParticipationRow } from './contact-admin.repository.js';
export {
  BULK_LIMIT,
  changeEmailAsOperator,
  checkedChoice,
  CONTACT_KINDS,
  createContactByOperator,
  listContactBook,
  listStructures,
  liveContact,
  mailContextFor,
  markValidatedByOperator,
  planBulkValidation,
  sendBulkValidation,
  sendValidationEmail,
  type BulkPlan,
  type ContactPage,
  type MailChoice,
  type MailContext,
  type OperatorContactInput,
} from './contact-admin.service.js';
export { connectContacts, contactDetail, disconnectContacts, type Connection, type ContactDetail } from './contact-relations.service.js';
export { mergeContacts, type MergeInput, type MergeResult } from './contact-merge.service.js';
export { connectFriend, customerConnections, sendFriendValidation } from './friends-family.service.js';
