/**
 * The little the sink needs from a message when it arrives (Message-ID and Subject for the Mailbox
 * list), read from the header block alone. The bodies are parsed by mailparser only when someone
 * opens the message: a full parse on arrival cost the sink more CPU than the sender spent on it.
 */

/** Unfolded headers, lower-cased names, in order; a header that repeats keeps every value. */
export function headerFields(block: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  // A line that starts with white space continues the previous header (RFC 5322 2.2.3).
  for (const line of block.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const values = fields.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    fields.set(name, values);
  }
  return fields;
}

function decoderFor(charset: string): TextDecoder {
  try {
    return new TextDecoder(charset);
  } catch {
    // An unknown charset still shows its bytes, as Latin-1, rather than nothing.
    return new TextDecoder('latin1');
  }
}

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  const bytes = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1');
}

const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * RFC 2047 encoded words (`=?utf-8?Q?Bienvenue_=C3=A0?=`) to text. White space between two
 * encoded words is dropped, and the bytes of consecutive words in one charset are decoded together:
 * a sender may split a multi-byte character across two words.
 */
export function decodeEncodedWords(value: string): string {
  let out = '';
  let charset = '';
  let bytes: Buffer[] = [];
  let last = 0;
  for (const match of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, match.index);
    // Only white space since the previous encoded word: it goes, and the bytes may run on.
    const adjacent = last > 0 && /^\s*$/.test(between);
    const wordCharset = match[1]!.toLowerCase();
    if (!adjacent || wordCharset !== charset) {
      if (bytes.length > 0) out += decoderFor(charset).decode(Buffer.concat(bytes));
      if (!adjacent) out += between;
      charset = wordCharset;
      bytes = [];
    }
    bytes.push(wordBytes(match[2]!, match[3]!));
    last = match.index + match[0].length;
  }
  if (bytes.length > 0) out += decoderFor(charset).decode(Buffer.concat(bytes));
  return out + value.slice(last);
}

/** `<id@host>` as sent, brackets added if the sender left them out; null when absent. */
export function messageIdOf(fields: Map<string, string[]>): string | null {
  const value = fields.get('message-id')?.[0]?.trim();
  if (!value) return null;
  const bracketed = /<([^<>\s]+)>/.exec(value)?.[1] ?? value.split(/\s/)[0]!;
  return `<${bracketed}>`;
}

export function subjectOf(fields: Map<string, string[]>): string {
  return decodeEncodedWords(fields.get('subject')?.[0] ?? '').trim();
}
