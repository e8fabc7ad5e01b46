/** A message the local SMTP sink received, as the Mailbox page shows it. */
export interface MailboxMessage {
  id: string;
  messageId: string | null;
  mailFrom: string;
  rcptTo: string[];
  subject: string;
  /** The raw header block, one header per line. */
  headers: string;
  html: string | null;
  text: string | null;
  rawSize: number;
  receivedAt: string;
}

export type MailboxSummary = Pick<MailboxMessage, 'id' | 'messageId' | 'rcptTo' | 'subject' | 'receivedAt'>;
