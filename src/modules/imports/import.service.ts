import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Db, Dialect } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError, isDomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { audit } from '../audit/index.js';
import { listCustomFields, type CustomField } from '../custom-fields/index.js';
import { existingParticipantEmails } from '../participants/index.js';
import { readCsv, sniffDelimiter } from './csv-reader.js';
import { checkColumns, guessColumns } from './import.mapping.js';
import {
  findImportRow,
  findRecentImportRows,
  findStaleImportRows,
  importFromRow,
  insertImport,
  updateImportRow,
} from './import.repository.js';
import { scanRows, type ScannedRow } from './import.scan.js';
import {
  MAX_STORED_ERRORS,
  type ExistingPolicy,
  type Import,
  type ImportMapping,
  type ImportPreview,
  type ImportReport,
} from './import.types.js';

/** Where uploads wait between the upload and the import, how big they may be, and the database. */
export interface ImportSettings {
  dataDir: string;
  maxBytes: number;
  dialect: Dialect;
}

export interface Upload {
  fileName: string;
  stream: NodeJS.ReadableStream;
  /** True once the multipart parser cut the file at the size limit. */
  truncated(): boolean;
}

const PREVIEW_ROWS = 5;
const MAX_COLUMNS = 200;
// An upload nobody imported within a day is removed: the file holds personal data.
const KEEP_UPLOAD_MS = 24 * 60 * 60 * 1000;

function relativePath(id: string): string {
  return `imports/${id}.csv`;
}

export function fileOf(storage: ImportSettings, imp: Import): string {
  if (!imp.hasFile || imp.status === 'imported') {
    throw new DomainError('import_expired', 'The uploaded file is no longer available. Upload it again.');
  }
  return join(storage.dataDir, relativePath(imp.id));
}

function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200) || 'upload.csv';
}

function tooLarge(storage: ImportSettings): DomainError {
  const mb = Math.round((storage.maxBytes / 1024 / 1024) * 10) / 10;
  return new DomainError('payload_too_large', `The file is larger than the ${mb} MB import limit. Split it into smaller files and import them one by one.`);
}

/**
 * Streams an uploaded file to disk (never whole in memory) and records the import. A file cut at
 * the size limit is removed and refused with a message naming the limit.
 */
export async function receiveUpload(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  storage: ImportSettings,
  target: { orgId: string; eventId: string; staffId: string },
  upload: Upload,
): Promise<Import> {
  await removeStaleUploads(db, ctx, storage);
  const id = newId(ctx.clock, ctx.random);
  const path = join(storage.dataDir, relativePath(id));
  await mkdir(join(storage.dataDir, 'imports'), { recursive: true, mode: 0o700 });
  try {
    await pipeline(upload.stream, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    if (upload.truncated()) throw tooLarge(storage);
    const { size } = await stat(path);
    if (size === 0) throw new DomainError('import_invalid', 'The file is empty.');
    const now = ctx.clock.now().toISOString();
    const fileName = safeFileName(upload.fileName);
    await insertImport(db, {
      id,
      org_id: target.orgId,
      event_id: target.eventId,
      created_by: target.staffId,
      file_name: fileName,
      file_path: relativePath(id),
      size_bytes: size,
      mapping: null,
      existing_policy: 'skip',
      status: 'uploaded',
      result: null,
      created_at: now,
      updated_at: now,
    });
    await audit(db, ctx, actor, {
      orgId: target.orgId,
      action: 'import.uploaded',
      target: { type: 'import', id },
      data: { eventId: target.eventId, fileName, sizeBytes: size },
    });
    return getImport(db, target.orgId, target.eventId, id);
  } catch (err) {
    await rm(path, { force: true });
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(storage);
    throw err;
  }
}

async function removeStaleUploads(db: Db, ctx: Ctx, storage: ImportSettings): Promise<void> {
  const before = new Date(ctx.clock.now().getTime() - KEEP_UPLOAD_MS).toISOString();
  for (const row of await findStaleImportRows(db, before)) {
    await rm(join(storage.dataDir, relativePath(row.id)), { force: true });
    await updateImportRow(db, row.org_id, row.id, { file_path: '' });
  }
}

export async function getImport(db: Db, orgId: string, eventId: string, importId: string): Promise<Import> {
  const row = isId(importId) ? await findImportRow(db, orgId, eventId, importId) : undefined;
  if (!row) throw new DomainError('not_found', 'Import not found');
  return importFromRow(row);
}

export async function listImports(db: Db, orgId: string, eventId: string): Promise<Import[]> {
  return (await findRecentImportRows(db, orgId, eventId, 20)).map(importFromRow);
}

/** The header and first rows of the file, with the current mapping or a guess at one. */
export async function previewImport(storage: ImportSettings, imp: Import, fields: CustomField[]): Promise<ImportPreview> {
  const path = fileOf(storage, imp);
  const delimiter = imp.mapping?.delimiter ?? (await sniffDelimiter(path));
  let headers: string[] | null = null;
  const rows: string[][] = [];
  read: for await (const records of readCsv(path, delimiter)) {
    for (const { cells } of records) {
      if (!headers) {
        if (cells.length > MAX_COLUMNS) throw new DomainError('import_invalid', `The file has ${cells.length} columns; at most ${MAX_COLUMNS} can be imported.`);
        headers = cells.map((cell, i) => cell.trim() || `Column ${i + 1}`);
      } else if (cells.some((cell) => cell.trim() !== '')) {
        rows.push(headers.map((_, i) => cells[i] ?? ''));
        if (rows.length === PREVIEW_ROWS) break read;
      }
    }
  }
  if (!headers) throw new DomainError('import_invalid', 'The file is empty.');
  const saved = imp.mapping?.columns;
  const columns = saved && saved.length === headers.length ? saved : guessColumns(headers, fields);
  return { delimiter, headers, rows, columns };
}

export function emptyReport(kind: ImportReport['kind'], policy: ExistingPolicy, at: string): ImportReport {
  return { kind, rows: 0, valid: 0, invalid: 0, errors: [], fatal: null, existing: 0, created: 0, updated: 0, skipped: 0, policy, at };
}

/**
 * Saves the organiser's mapping and policy, then reads the whole file and reports every bad row
 * without writing anything else. A file that cannot be read is reported, not thrown.
 */
export async function checkImport(
  db: Db,
  ctx: Ctx,
  storage: ImportSettings,
  imp: Import,
  choice: { columns: string[]; policy: ExistingPolicy },
): Promise<ImportReport> {
  const path = fileOf(storage, imp);
  const fields = await listCustomFields(db, imp.orgId, imp.eventId);
  const preview = await previewImport(storage, { ...imp, mapping: null }, fields);
  const columns = checkColumns(choice.columns, preview.headers.length, fields);
  const mapping: ImportMapping = { delimiter: preview.delimiter, columns };
  const report = emptyReport('dry_run', choice.policy, ctx.clock.now().toISOString());
  try {
    let pending: string[] = [];
    const countExisting = async () => {
      for (let i = 0; i < pending.length; i += 500) {
        report.existing += (await existingParticipantEmails(db, imp.orgId, imp.eventId, pending.slice(i, i + 500))).size;
      }
      pending = [];
    };
    for await (const rows of scanRows(path, mapping, fields)) {
      for (const row of rows) {
        tally(report, row);
        if (row.ok) pending.push(row.value.email.key);
      }
      if (pending.length >= 500) await countExisting();
    }
    await countExisting();
  } catch (err) {
    if (!isDomainError(err) || err.code !== 'import_invalid') throw err;
    report.fatal = err.message;
  }
  await updateImportRow(db, imp.orgId, imp.id, {
    mapping: JSON.stringify(mapping),
    existing_policy: choice.policy,
    status: report.fatal ? 'uploaded' : 'checked',
    result: JSON.stringify(report),
    updated_at: ctx.clock.now().toISOString(),
  });
  return report;
}

/** Counts a scanned row into a report, keeping the first bad rows for the page. */
export function tally(report: ImportReport, row: ScannedRow): void {
  report.rows += 1;
  if (row.ok) {
    report.valid += 1;
    return;
  }
  report.invalid += 1;
  if (report.errors.length < MAX_STORED_ERRORS) report.errors.push(row.error);
}

/** Every bad row of the file (not only the first ones kept in the report), for download. */
export async function* problemRows(db: Db, storage: ImportSettings, imp: Import): AsyncGenerator<ScannedRow & { ok: false }> {
  const path = fileOf(storage, imp);
  if (!imp.mapping) throw new DomainError('conflict', 'Check the file (dry run) first.');
  const fields = await listCustomFields(db, imp.orgId, imp.eventId);
  for await (const rows of scanRows(path, imp.mapping, fields)) {
    for (const row of rows) if (!row.ok) yield row;
  }
}
