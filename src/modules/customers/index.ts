// The shop's merge tags and email actions register on load.
export { EMAIL_CHANGED_ACTION, EXISTS_ACTION, RESET_ACTION, sendContactMail, VERIFY_ACTION, verifyUrl, type ContactMail } from './customer-mail.js';
export { CUSTOMER_SESSION, endContactSessions, endCustomerSession, resolveCustomerSession, startCustomerSession, type CustomerSession } from './customer-session.js';
export {
  changeEmailByOperator,
  changeOwnEmail,
  confirmEmailByLink,
  contactOfLink,
  prepareNewPassword,
  type NewPassword,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  signIn,
  signUp,
  validationRequired,
  type SignInResult,
  type SignUpInput,
} from './account.service.js';
export { isRegistered, onSale, registerCustomer, registerGuest, shopEvents } from './shop-registration.service.js';
