import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { DomainError } from '../../lib/errors.js';
import { CsvParser, CsvSyntaxError, type CsvSyntaxCode } from './csv-parser.js';
import type { Delimiter } from './import.types.js';

/** One CSV record and the physical line where it starts (the first line of the file is 1). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

const SNIFF_BYTES = 64 * 1024;
// A record this large is almost always a missing closing quote swallowing the rest of the file.
export const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * Guesses the separator from the header line: whichever of `;` `,` and tab occurs most outside
 * quotes (Excel in much of Europe writes `;`). A header with a single column counts as `,`.
 */
export async function sniffDelimiter(path: string): Promise<Delimiter> {
  const handle = await openOrExpired(path);
  let text: string;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
  const counts: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) {
      if (counts[','] + counts[';'] + counts['\t'] > 0) break;
    } else if (!quoted && char in counts) counts[char as Delimiter] += 1;
  }
  const best = (Object.keys(counts) as Delimiter[]).reduce((a, b) => (counts[b] > counts[a] ? b : a), ',');
  return counts[best] > 0 ? best : ',';
}

async function openOrExpired(path: string) {
  try {
    return await open(path, 'r');
  } catch (err) {
    throw gone(err);
  }
}

function gone(err: unknown): unknown {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    return new DomainError('import_expired', 'The uploaded file is no longer available. Upload it again.');
  }
  return err;
}

const REASONS: Record<CsvSyntaxCode, string> = {
  quote_not_closed: 'a quoted value is never closed (a " is missing)',
  quote_in_unquoted: 'a value contains a " but is not itself in quotes; put the value in quotes and double the " inside it',
  text_after_quote: 'a " inside a quoted value must be doubled ("")',
  record_too_long: `a record is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB (is a closing " missing?)`,
};

/**
 * Streams the records of a CSV file, header included, each with the line where it starts. Records
 * come in batches (one per chunk read), which keeps the per-record cost of async iteration away.
 */
export async function* readCsv(path: string, delimiter: Delimiter): AsyncGenerator<CsvRecord[]> {
  const source = createReadStream(path, { highWaterMark: 64 * 1024 });
  const parser = new CsvParser(delimiter, MAX_RECORD_BYTES);
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      yield parser.push(chunk);
    }
    yield parser.end();
  } catch (err) {
    if (err instanceof CsvSyntaxError) {
      throw new DomainError('import_invalid', `The file cannot be read from line ${err.line}: ${REASONS[err.code]}. Nothing was imported.`, {
        line: err.line,
      });
    }
    throw gone(err);
  } finally {
    source.destroy();
  }
}
