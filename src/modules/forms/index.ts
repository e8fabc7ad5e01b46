// Merge tags and email actions register themselves on load (imported by modules/capabilities.ts).
import './form-mail.js';

export * from './form.types.js';
export {
  createUpdateForm,
  defaultRegistrationForm,
  deleteForm,
  fieldsOfForm,
  findFormForSlug,
  getForm,
  isFormClosed,
  listForms,
  updateForm,
  updateLinkForm,
} from './form.service.js';
export { EMAIL_CHANGE_ACTION, EMAIL_CHANGED_ACTION, KNOWN_EMAIL_ACTION, REGISTERED_ACTION } from './form-mail.js';
export { registerFromPublicPage, registrationRefusal, submitForm, type FormWrite, type FormWriteResult, type PublicRegistration } from './registration.service.js';
export { applyEmailChange, type EmailChangeOutcome } from './email-change.service.js';
export { answerRsvp, isRsvpClosed, rsvpClosesAt, rsvpCounts, type RsvpInput } from './rsvp.service.js';
