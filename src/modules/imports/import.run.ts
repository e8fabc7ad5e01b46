import { rm } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Db, Dialect } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError, isDomainError } from '../../lib/errors.js';
import { audit } from '../audit/index.js';
import { listCustomFields, type CustomField } from '../custom-fields/index.js';
import { upsertParticipants, type ValidParticipant } from '../participants/index.js';
import { checkColumns } from './import.mapping.js';
import { claimImportRow, updateImportRow } from './import.repository.js';
import { scanRows } from './import.scan.js';
import { emptyReport, fileOf, tally, type ImportSettings } from './import.service.js';
import type { Import, ImportMapping, ImportReport } from './import.types.js';

// Rows per call to upsertParticipants: enough for few statements, small enough for flat memory.
const BATCH = 500;

/**
 * Imports the valid rows as one unit: the file is read and checked again (it is the truth, and
 * fields may have changed since the dry run), valid rows are written in batches inside a single
 * transaction, bad rows are counted and skipped. Any error rolls everything back.
 */
export async function runImport(db: Db, ctx: Ctx, actor: Actor, settings: ImportSettings, imp: Import): Promise<ImportReport> {
  if (imp.status === 'imported') throw new DomainError('conflict', 'This file has already been imported.');
  const mapping = imp.mapping;
  if (!mapping || (imp.status !== 'checked' && imp.status !== 'failed')) {
    throw new DomainError('conflict', 'Check the file (dry run) before importing it.');
  }
  const path = fileOf(settings, imp);
  const fields = await listCustomFields(db, imp.orgId, imp.eventId);
  checkColumns(mapping.columns, mapping.columns.length, fields);
  let report: ImportReport;
  try {
    report = await db.transaction().execute(async (trx) => {
      const now = ctx.clock.now().toISOString();
      if (!(await claimImportRow(trx, imp.orgId, imp.id, now))) throw new DomainError('conflict', 'This file has already been imported.');
      const result = await writeRows(trx, ctx, actor, settings.dialect, imp, { path, mapping, fields }, now);
      await updateImportRow(trx, imp.orgId, imp.id, { file_path: '', result: JSON.stringify(result), updated_at: now });
      const { rows, valid, invalid, created, updated, skipped, policy } = result;
      await audit(trx, ctx, actor, {
        orgId: imp.orgId,
        action: 'import.completed',
        target: { type: 'import', id: imp.id },
        data: { eventId: imp.eventId, fileName: imp.fileName, rows, valid, invalid, created, updated, skipped, policy },
      });
      return result;
    });
  } catch (err) {
    if (!isDomainError(err) || err.code !== 'conflict') await markFailed(db, ctx, imp, err);
    throw err;
  }
  await rm(path, { force: true });
  if (report.created + report.updated > BATCH) await refreshStatistics(db, settings.dialect);
  return report;
}

/**
 * Scans the file and upserts its valid rows batch by batch. One batch is written while the next is
 * read and checked: with PostgreSQL the database works on one core while Node parses on the other.
 */
async function writeRows(
  trx: Db,
  ctx: Ctx,
  actor: Actor,
  dialect: Dialect,
  imp: Import,
  source: { path: string; mapping: ImportMapping; fields: CustomField[] },
  now: string,
): Promise<ImportReport> {
  const result = emptyReport('import', imp.existingPolicy, now);
  let writes = 0;
  const write = async (rows: ValidParticipant[]) => {
    const done = await upsertParticipants(trx, ctx, actor, imp.orgId, imp.eventId, rows, { existing: imp.existingPolicy, defaultStatus: 'imported', auditEachRow: false });
    result.created += done.created;
    result.updated += done.updated;
    result.skipped += done.skipped;
    if ((writes += 1) === 1) await refreshStatistics(trx, dialect);
  };
  let inFlight: Promise<void> | null = null;
  let batch: ValidParticipant[] = [];
  try {
    for await (const rows of scanRows(source.path, source.mapping, source.fields)) {
      for (const row of rows) {
        tally(result, row);
        if (row.ok) batch.push(row.value);
      }
      if (batch.length < BATCH) continue;
      await inFlight;
      inFlight = write(batch);
      // Marked as handled now; the error still surfaces where inFlight is awaited.
      inFlight.catch(() => {});
      batch = [];
    }
  } catch (err) {
    // Never leave a statement running when the transaction is rolled back.
    await inFlight?.catch(() => {});
    throw err;
  }
  await inFlight;
  if (batch.length > 0) await write(batch);
  result.existing = result.updated + result.skipped;
  return result;
}

async function markFailed(db: Db, ctx: Ctx, imp: Import, err: unknown): Promise<void> {
  const now = ctx.clock.now().toISOString();
  const report = emptyReport('failed', imp.existingPolicy, now);
  report.fatal = isDomainError(err) ? err.message : 'The import stopped on an unexpected error and was rolled back: nothing was imported.';
  await updateImportRow(db, imp.orgId, imp.id, { status: 'failed', result: JSON.stringify(report), updated_at: now });
}

/**
 * PostgreSQL picks its plan for each batch's lookups (`org_id = ? and email_key in (...)`) from the
 * table statistics. On tables it has not analysed since they were (nearly) empty, as on a new
 * install, it reads every row of the organisation for each batch, and a 100,000-row import turns
 * quadratic. ANALYZE inside the transaction counts the rows written so far (one cheap sample after
 * the first batch); after the commit it prepares the next list, export or import.
 */
async function refreshStatistics(db: Db, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`analyze contacts, participants`.execute(db);
}
