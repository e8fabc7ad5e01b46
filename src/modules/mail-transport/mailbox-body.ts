import type { MailboxMessagesTable } from '../../db/database.js';

// mailparser is 7 MB of resident memory: loaded when someone first opens a message, not at
// start-up (issue 2's idle memory budget), and never by the sink itself.
let parser: Promise<typeof import('mailparser')> | null = null;

/**
 * The HTML and text bodies of a stored message. Rows since migration 0006 keep the raw message
 * and are parsed here, on every view (a few hundred microseconds; nothing is written on a GET);
 * older rows carry the bodies parsed on arrival.
 */
export async function mailboxBodies(row: Pick<MailboxMessagesTable, 'raw' | 'html' | 'text'>): Promise<{ html: string | null; text: string | null }> {
  if (!row.raw) return { html: row.html, text: row.text };
  const { simpleParser } = await (parser ??= import('mailparser'));
  // The display needs the bodies only: no text-to-HTML or link conversion work. Inline cid:
  // images become data: URIs, which the framed HTML view allows.
  const parsed = await simpleParser(row.raw, { skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true });
  return { html: typeof parsed.html === 'string' ? parsed.html : null, text: parsed.text ?? null };
}
