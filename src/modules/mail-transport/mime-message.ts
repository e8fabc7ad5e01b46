import { randomBytes } from 'node:crypto';
import * as base64 from 'nodemailer/lib/base64';
import * as mimeFuncs from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import type { InlineImage } from './mail-transport.types.js';

/** A message whose every part has been checked (outgoing-mail.ts): nothing here validates. */
export interface PreparedMail {
  from: { name: string; address: string };
  to: { name: string; address: string };
  replyTo?: { name: string; address: string } | undefined;
  subject: string;
  text: string;
  html: string;
  /** With its angle brackets. */
  messageId: string;
  headers: Record<string, string>;
  /** Images the HTML part refers to by `cid:`; checked (plain ids, names, types) by prepareMail. */
  inline: InlineImage[];
}

// Header values are encoded by nodemailer's own encoder (MimeNode.encodeHeaderValue: addresses
// quoted or RFC 2047-encoded and punycoded, other values encoded when not plain ASCII) and folded
// as nodemailer folds them; one node serves every call, the method keeps no state between calls.
const encoder = new MimeNode(false);
function header(key: string, value: string | { name: string; address: string }): string {
  const encoded = encoder.encodeHeaderValue(key, value);
  // nodemailer leaves out a header whose value is blank, an empty Subject included.
  return encoded.trim() ? mimeFuncs.foldLines(`${key}: ${encoded}`, 76) : '';
}

/**
 * nodemailer's choice of transfer encoding for a text part, in one pass over it: 7bit for plain
 * ASCII whose lines fit in 76 characters, else quoted-printable when Latin letters outnumber the
 * 8-bit and control characters, else base64.
 */
function transferEncoding(body: string): '7bit' | 'quoted-printable' | 'base64' {
  let other = 0;
  let latin = 0;
  let line = 0;
  let longLines = false;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    if (code === 0x0a || code === 0x0d) line = 0;
    else if (++line > 76) longLines = true;
    if (code >= 0x80 || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)) other++;
    else if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin++;
  }
  if (other === 0 && !longLines) return '7bit';
  return other < latin ? 'quoted-printable' : 'base64';
}

const HEX = Buffer.from('0123456789ABCDEF');

/**
 * Quoted-printable (RFC 2045 6.7) of text whose line ends are CRLF, in one pass over its UTF-8
 * bytes: printable ASCII but "=" as is, white space as is unless it ends a line, anything else
 * as =XX, and a soft break ("=" CRLF) wherever a line would pass 76 characters. nodemailer's
 * encode-then-wrap (a regular expression per output line) took three times as long.
 */
function quotedPrintable(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  // Every byte takes three characters at most, and each 25 of those a soft break.
  const out = Buffer.allocUnsafe(bytes.length * 3 + Math.ceil(bytes.length / 25) * 3 + 3);
  let o = 0;
  let column = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const next = bytes[i + 1];
    if (byte === 0x0d && next === 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      i++;
      column = 0;
      continue;
    }
    const literal = (byte >= 0x21 && byte <= 0x7e && byte !== 0x3d) || ((byte === 0x20 || byte === 0x09) && next !== undefined && next !== 0x0d);
    const width = literal ? 1 : 3;
    if (column + width > 75) {
      out[o++] = 0x3d;
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      column = 0;
    }
    if (literal) out[o++] = byte;
    else {
      out[o++] = 0x3d;
      out[o++] = HEX[byte >> 4]!;
      out[o++] = HEX[byte & 15]!;
    }
    column += width;
  }
  return out.toString('latin1', 0, o);
}

/** One text part, encoded as nodemailer encodes it; line ends become CRLF. */
function part(contentType: string, content: string): string {
  const body = content.replace(/\r?\n|\r/g, '\r\n');
  const encoding = transferEncoding(body);
  const encoded = encoding === '7bit' ? body : encoding === 'quoted-printable' ? quotedPrintable(body) : base64.wrap(base64.encode(body), 76);
  return `Content-Type: ${contentType}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${encoded}`;
}

// "=_" cannot occur in quoted-printable or base64 text; a 7bit part could hold anything, but not a
// boundary it cannot guess: random per process, then counted (a random draw per message was a
// measurable share of the CPU spent on a message).
const BOUNDARY_PREFIX = `--=_tsr_${randomBytes(12).toString('hex')}_`;
let boundaries = 0;
const nextBoundary = () => `${BOUNDARY_PREFIX}${(boundaries++).toString(36)}`;

function imagePart(image: InlineImage): string {
  const bytes = Buffer.from(image.content.buffer, image.content.byteOffset, image.content.byteLength);
  return (
    `Content-Type: ${image.contentType}; name=${image.filename}\r\nContent-Transfer-Encoding: base64\r\n` +
    `Content-ID: <${image.cid}>\r\nContent-Disposition: inline; filename=${image.filename}\r\n\r\n${base64.wrap(bytes.toString('base64'), 76)}`
  );
}

/** A multipart body of these parts, as one part (headers included). */
function multipart(subtype: string, parts: string[], extra = ''): string {
  const boundary = nextBoundary();
  const body = parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('');
  return `Content-Type: multipart/${subtype};${extra}\r\n boundary="${boundary}"\r\n\r\n${body}--${boundary}--`;
}

/**
 * The whole RFC 5322 message, built in one synchronous pass. With inline images the HTML part
 * becomes multipart/related (the HTML, then its images) inside multipart/alternative, as
 * nodemailer builds it: a text-only reader sees no attachment. nodemailer's composer builds the
 * same message through a tree of streams (an encoder, a line-ending transform and a pipeline per
 * part), which cost ~0.35 ms of CPU a message, more than rendering it; nodemailer still sends it
 * (pooled SMTP, dot-stuffing, DKIM signing when configured).
 */
export function composeMessage(mail: PreparedMail, date: Date): Buffer {
  const headers = [
    header('From', mail.from),
    header('To', mail.to),
    ...(mail.replyTo ? [header('Reply-To', mail.replyTo)] : []),
    header('Subject', mail.subject),
    header('Message-ID', mail.messageId),
    header('Date', date.toUTCString().replace(/GMT/, '+0000')),
    'MIME-Version: 1.0',
    ...Object.entries(mail.headers).map(([key, value]) => header(key, value)),
  ].filter((line) => line !== '');
  const html = mail.html ? part('text/html; charset=utf-8', mail.html) : null;
  const parts = [
    ...(mail.text ? [part('text/plain; charset=utf-8', mail.text)] : []),
    ...(html && mail.inline.length > 0 ? [multipart('related', [html, ...mail.inline.map(imagePart)], ' type="text/html";')] : html ? [html] : []),
  ];
  const body = parts.length < 2 ? (parts[0] ?? part('text/plain; charset=utf-8', '')) : multipart('alternative', parts);
  return Buffer.from(`${headers.join('\r\n')}\r\n${body}\r\n`);
}
