/** One message received by the local SMTP sink. */
export interface MailboxMessagesTable {
  id: string;
  /** The Message-ID header as sent, angle brackets included; null when the message had none. */
  message_id: string | null;
  /** Envelope sender (MAIL FROM); empty for a null reverse path. */
  mail_from: string;
  /** Envelope recipients (RCPT TO), comma-separated, in the order given. */
  rcpt_to: string;
  subject: string;
  /** The raw header block, unfolded lines as received. */
  headers: string;
  /** Parsed bodies: only on rows stored before 0006; newer rows are parsed from `raw` when read. */
  html: string | null;
  text: string | null;
  /** The message as received (CRLF line ends, dot-unstuffed); null on rows stored before 0006. */
  raw: Buffer | null;
  raw_size: number;
  received_at: string;
}

/** Envelope recipients, lower-cased, one row each, for matching against contacts and staff. */
export interface MailboxRecipientsTable {
  mailbox_id: string;
  email_key: string;
}
