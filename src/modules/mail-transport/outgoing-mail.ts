import addressparser from 'nodemailer/lib/addressparser';
import type { SendMailOptions } from 'nodemailer';
import { canonicalEmail } from '../../lib/email.js';
import type { InlineImage, OutgoingMail } from './mail-transport.types.js';
import { composeMessage, type PreparedMail } from './mime-message.js';

/** The message cannot be sent as given; retrying would fail the same way. */
export class MailInputError extends Error {
  override name = 'MailInputError';
}

/**
 * Display names, subjects and header values come from organisers and attendees. Line breaks are
 * the header-injection vector, other control characters only garble; all become one space.
 * nodemailer folds and encodes headers itself too; this keeps the rule independent of it.
 */
export function oneLine(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim().slice(0, max);
}

function validAddress(input: string, what: string): string {
  const canonical = canonicalEmail(input);
  if (!canonical) throw new MailInputError(`Invalid ${what} address`);
  return canonical.email;
}

/**
 * `noreply@x` or `Name <noreply@x>`; exactly one mailbox, never a list or a group. Line breaks
 * (an organisation name pasted with one) become spaces first, so they can only end up in the name.
 */
function singleMailbox(input: string, what: string): { name: string; address: string } {
  const parsed = addressparser(oneLine(input, 500));
  const first = parsed[0];
  if (parsed.length !== 1 || !first || first.group !== undefined) throw new MailInputError(`Invalid ${what} address`);
  return { name: oneLine(first.name, 200), address: validAddress(first.address, what) };
}

// Headers the message structure owns: a caller's copy would duplicate or contradict them.
const RESERVED_HEADERS = new Set([
  'from', 'sender', 'to', 'cc', 'bcc', 'subject', 'message-id', 'date', 'mime-version', 'return-path',
  'content-type', 'content-transfer-encoding', 'content-disposition', 'dkim-signature', 'received',
]);
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,75}$/;
const MESSAGE_ID = /^<?([^\s<>()@,;:\\"[\]]+@[^\s<>()@,;:\\"[\]]+)>?$/;

function extraHeaders(headers: Record<string, string> | undefined) {
  const result: Record<string, string> = {};
  let replyTo: { name: string; address: string } | undefined;
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new MailInputError(`Header "${oneLine(name, 80)}" cannot be set`);
    }
    // Reply-To is an address header: structured like To, so its value cannot smuggle a recipient.
    if (name.toLowerCase() === 'reply-to') replyTo = singleMailbox(value, 'Reply-To');
    else result[name] = oneLine(String(value), 2000);
  }
  return { headers: result, replyTo };
}

const CONTENT_ID = /^[A-Za-z0-9._-]{1,100}@[A-Za-z0-9.-]{1,200}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const IMAGE_TYPES = new Set(['image/png', 'image/gif', 'image/jpeg']);
const MAX_INLINE_BYTES = 1_000_000;

/** Inline images go into MIME headers as they are: only plain ids, names and known types pass. */
function inlineImages(images: InlineImage[] | undefined): InlineImage[] {
  const list = images ?? [];
  const ids = new Set(list.map((image) => image.cid));
  if (list.length > 10 || ids.size !== list.length) throw new MailInputError('Too many or duplicate inline images');
  let bytes = 0;
  for (const image of list) {
    if (!CONTENT_ID.test(image.cid) || !FILE_NAME.test(image.filename) || !IMAGE_TYPES.has(image.contentType)) {
      throw new MailInputError('Invalid inline image');
    }
    bytes += image.content.byteLength;
  }
  if (bytes > MAX_INLINE_BYTES) throw new MailInputError('Inline images over 1 MB');
  return list;
}

/**
 * Checks and cleans one message: addresses as { name, address } (encoded by nodemailer's header
 * encoder, never concatenated into a header here), one line per header value, a valid Message-ID.
 */
export function prepareMail(message: OutgoingMail): PreparedMail {
  const from = singleMailbox(message.from, 'sender');
  const to = { name: oneLine(message.to.name ?? '', 200), address: validAddress(message.to.email, 'recipient') };
  const messageId = MESSAGE_ID.exec(message.messageId)?.[1];
  if (!messageId) throw new MailInputError('Invalid Message-ID');
  const { headers, replyTo } = extraHeaders(message.headers);
  const inline = inlineImages(message.inline);
  return { from, to, replyTo, subject: oneLine(message.subject, 998), text: message.text, html: message.html, messageId: `<${messageId}>`, headers, inline };
}

/**
 * nodemailer options for one message: the message composed in one pass (mime-message.ts), and an
 * explicit envelope with the one recipient, so nothing written in a header can add a RCPT TO.
 */
export function mailOptionsOf(message: OutgoingMail, date = new Date()): SendMailOptions {
  const mail = prepareMail(message);
  return {
    envelope: { from: mail.from.address, to: [mail.to.address] },
    raw: composeMessage(mail, date),
    // Also set here: without it nodemailer draws a random Message-ID for its own bookkeeping.
    messageId: mail.messageId,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
