export type { InlineImage, MailAddress, MailTransport, OutgoingMail, SendResult } from './mail-transport.types.js';
export type { MailboxMessage, MailboxSummary } from './mailbox.types.js';
export { createMailTransport, classifySmtpError, type MailTransportOptions, type MailTransportSettings } from './smtp-transport.js';
export { createThreadedMailTransport } from './transport-thread.js';
export { startMailSink, SINK_MAX_MESSAGE_BYTES, type MailSink, type MailSinkOptions } from './mail-sink.js';
export { findMailboxMessage, listMailboxMessages, type MailboxViewer } from './mailbox.repository.js';
