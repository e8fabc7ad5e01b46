// The contract between the outbox worker (src/jobs) and SMTP delivery. The worker only
// needs to know whether a failure is worth retrying, so the transport classifies it.

export interface MailAddress {
  email: string;
  name?: string;
}

export interface OutgoingMail {
  /** `noreply@example.org` or `Acme Events <noreply@example.org>`: one mailbox, also the envelope sender. */
  from: string;
  to: MailAddress;
  subject: string;
  html: string;
  text: string;
  /** Deterministic per outbox row, e.g. `<id@host>`; a retry reuses it so receivers can dedupe. */
  messageId: string;
  /** Extra headers (List-Unsubscribe, Reply-To...); those the structure owns (From, To, Subject...) are refused. */
  headers?: Record<string, string>;
}

export type SendResult =
  | { ok: true; response: string }
  | { ok: false; kind: 'temporary' | 'permanent'; reason: string };

export interface MailTransport {
  send(message: OutgoingMail): Promise<SendResult>;
  close(): Promise<void>;
}
