export { changeContactIdentity, contactFromRow, ensureContacts, getContact, type Contact, type ContactSeed } from './contact.service.js';
export {
  changeContactEmail,
  createContact,
  findAccountByEmail,
  findAccountById,
  markEmailVerified,
  setContactPassword,
  type AccountRecord,
  type NewContact,
} from './contact-account.js';
export { addressStateOf, mergeContactRows, mergedAddress, type AddressState } from './contact-merge.js';
