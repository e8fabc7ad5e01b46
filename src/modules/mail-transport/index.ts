export type { MailAddress, MailTransport, OutgoingMail, SendResult } from './mail-transport.types.js';
