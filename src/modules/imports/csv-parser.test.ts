import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { CsvParser, CsvSyntaxError, type ParsedRecord } from './csv-parser.js';

function parseAll(input: Buffer, delimiter: string, splits: number[] = []): ParsedRecord[] {
  const parser = new CsvParser(delimiter);
  const out: ParsedRecord[] = [];
  let from = 0;
  for (const at of [...splits, input.length]) {
    out.push(...parser.push(input.subarray(from, at)));
    from = at;
  }
  out.push(...parser.end());
  return out;
}

// A small deterministic generator, so a failure can be replayed from its seed.
function rng(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
}

const PIECES = ['a', 'Zoë', 'ı', '😀', ' ', '"', ',', ';', '\n', '\r\n', '\r', 'x@y.org', '=1+2', ''];

function randomCsv(next: (n: number) => number, delimiter: string): { text: string; records: string[][] } {
  const records: string[][] = [];
  let text = next(4) === 0 ? '\uFEFF' : '';
  // One line ending per file, as real files have (csv-parse detects it from the first line).
  const eol = next(2) === 0 ? '\n' : '\r\n';
  const rows = 1 + next(6);
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    const width = 1 + next(4);
    for (let c = 0; c < width; c++) {
      let cell = '';
      for (let k = next(4); k > 0; k--) cell += PIECES[next(PIECES.length)];
      cells.push(cell);
    }
    if (cells.length === 1 && cells[0] === '') cells[0] = 'x';
    records.push(cells);
    text += cells.map((cell) => (/[",;\r\n]/.test(cell) || next(5) === 0 ? `"${cell.replace(/"/g, '""')}"` : cell)).join(delimiter);
    text += next(4) === 0 ? eol + eol : eol;
  }
  if (next(3) === 0) text = text.replace(/(\r\n|\n)+$/, '');
  return { text, records };
}

describe('CSV parser', () => {
  test('agrees with csv-parse on random files cut into random chunks', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const next = rng(seed);
      const delimiter = next(2) === 0 ? ',' : ';';
      const { text, records } = randomCsv(next, delimiter);
      const bytes = Buffer.from(text);
      const splits = [...new Set(Array.from({ length: next(5) }, () => next(bytes.length + 1)))].sort((a, b) => a - b);
      const ours = parseAll(bytes, delimiter, splits).map((r) => r.cells);
      const theirs = parse(bytes, { delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: false }) as string[][];
      assert.deepEqual(ours, theirs, `seed ${seed}: ${JSON.stringify(text)}`);
      assert.deepEqual(ours, records, `seed ${seed}`);
    }
  });

  test('gives the physical line where each record starts, counting CRLF, LF and CR once', () => {
    const text = 'h1,h2\r\n\r\na,"multi\r\nline\r\nvalue"\r\nb,"x\ry"\n\nc,"\n"\r\nd,e';
    const lines = parseAll(Buffer.from(text), ',').map((r) => [r.line, r.cells[0]]);
    assert.deepEqual(lines, [
      [1, 'h1'],
      [3, 'a'],
      [6, 'b'],
      [9, 'c'],
      [11, 'd'],
    ]);
  });

  test('the same lines whatever the chunk boundaries', () => {
    const bytes = Buffer.from('h\r\n"a\r\nb"\r\n\r\nc\r\n"d""e"\r\n');
    const expected = parseAll(bytes, ',');
    for (let at = 0; at <= bytes.length; at++) {
      for (let at2 = at; at2 <= bytes.length; at2 += 3) assert.deepEqual(parseAll(bytes, ',', [at, at2]), expected, `split at ${at}, ${at2}`);
    }
    assert.deepEqual(
      expected.map((r) => [r.line, r.cells]),
      [
        [1, ['h']],
        [2, ['a\r\nb']],
        [5, ['c']],
        [6, ['d"e']],
      ],
    );
  });

  test('refuses quotes it would have to guess about, naming the record\'s line', () => {
    const cases: Array<[string, string, number]> = [
      ['h\nok\nab"c\n', 'quote_in_unquoted', 3],
      ['h\n"ab"c\n', 'text_after_quote', 2],
      ['h\n\n"never closed\nmore\n', 'quote_not_closed', 3],
    ];
    for (const [text, code, line] of cases) {
      assert.throws(
        () => parseAll(Buffer.from(text), ','),
        (err: unknown) => err instanceof CsvSyntaxError && err.code === code && err.line === line,
        text,
      );
    }
  });

  test('a runaway record is cut at the size limit', () => {
    const parser = new CsvParser(',', 100);
    assert.throws(() => parser.push(Buffer.from(`h\n"${'x'.repeat(200)}`)), (err: unknown) => err instanceof CsvSyntaxError && err.code === 'record_too_long');
  });
});
