export { changeContactIdentity, contactFromRow, ensureContacts, getContact, type Contact, type ContactSeed } from './contact.service.js';
