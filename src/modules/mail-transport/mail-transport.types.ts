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
  /** Images the HTML shows through `cid:` (a personal QR code); sent next to the HTML, never to text-only readers. */
  inline?: InlineImage[];
}

/** An image inside the HTML body: `<img src="cid:<cid>">`. */
export interface InlineImage {
  /** Without angle brackets, `<local>@<domain>`; unique in the message. */
  cid: string;
  contentType: 'image/png' | 'image/gif' | 'image/jpeg';
  /** A plain file name (letters, digits, dot, dash, underscore), for clients that save it. */
  filename: string;
  /** A Buffer in-process; a plain Uint8Array once it has crossed to the transport thread. */
  content: Uint8Array;
}

export type SendResult =
  | { ok: true; response: string }
  | { ok: false; kind: 'temporary' | 'permanent'; reason: string };

export interface MailTransport {
  send(message: OutgoingMail): Promise<SendResult>;
  close(): Promise<void>;
}
