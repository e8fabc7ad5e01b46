import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { DomainError, errorStatus, isDomainError } from '../../lib/errors.js';
import { listCustomFields, type CustomField } from '../../modules/custom-fields/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import {
  EXISTING_POLICIES,
  checkImport,
  csvStream,
  getImport,
  listImports,
  previewImport,
  problemRows,
  receiveUpload,
  runImport,
  safeCell,
  type ColumnTarget,
  type ExistingPolicy,
  type Import,
  type ImportSettings,
} from '../../modules/imports/index.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { paramsOf } from './event-ui.js';
import { ImportPage, UploadPage, importsPath, type MappingProps } from './import-views.js';

const CheckBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    // Repeated once per file column, in file order (a single column arrives as a one-item array).
    column: Type.Array(Type.String({ maxLength: 60 }), { minItems: 1, maxItems: 200 }),
    policy: Type.Optional(Type.Union(EXISTING_POLICIES.map((p) => Type.Literal(p)))),
  },
  { additionalProperties: false },
);
const RunBody = Type.Object({ _csrf: Type.String({ maxLength: 200 }) }, { additionalProperties: false });

interface EventContext {
  access: OrgAccess;
  event: Event;
  fields: CustomField[];
}

/**
 * CSV import for staff and up: upload (streamed to disk), column mapping with a preview, a dry
 * run that lists every bad row, then the import of the valid rows as one transaction.
 */
export async function importRoutes(app: FastifyInstance): Promise<void> {
  const { db, config, dialect } = app.deps;
  const storage: ImportSettings = { dataDir: config.dataDir, maxBytes: config.importMaxBytes, dialect };
  const base = '/admin/o/:orgId/events/:eventId/import';

  async function load(request: FastifyRequest): Promise<EventContext> {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'staff');
    const event = await getEvent(db, access.org.id, eventId!);
    return { access, event, fields: await listCustomFields(db, access.org.id, event.id) };
  }

  async function loadImport(request: FastifyRequest): Promise<EventContext & { imp: Import }> {
    const context = await load(request);
    const imp = await getImport(db, context.access.org.id, context.event.id, paramsOf(request)['importId']!);
    return { ...context, imp };
  }

  async function showImport(
    request: FastifyRequest,
    reply: FastifyReply,
    context: EventContext & { imp: Import },
    extra: Pick<MappingProps, 'columns' | 'policy' | 'errors'> = {},
    status = 200,
  ) {
    let preview = null;
    let unavailable = 'The uploaded file is no longer kept.';
    try {
      if (context.imp.hasFile && context.imp.status !== 'imported') preview = await previewImport(storage, context.imp, context.fields);
    } catch (error) {
      if (!isDomainError(error) || (error.code !== 'import_invalid' && error.code !== 'import_expired')) throw error;
      unavailable = error.message;
      if (status === 200) status = errorStatus[error.code];
    }
    return renderPage(request, reply, { title: `Import · ${context.event.name}`, nav: navOf(context.access), status }, (csrf) =>
      preview ? (
        <ImportPage {...context} csrf={csrf} preview={preview} {...extra} />
      ) : (
        <ImportPage {...context} csrf={csrf} preview={null} unavailable={unavailable} />
      ),
    );
  }

  app.get(base, async (request, reply) => {
    const context = await load(request);
    const imports = await listImports(db, context.access.org.id, context.event.id);
    return renderPage(request, reply, { title: `Import · ${context.event.name}`, nav: navOf(context.access) }, (csrf) => (
      <UploadPage {...context} csrf={csrf} imports={imports} maxBytes={storage.maxBytes} />
    ));
  });

  app.post(base, async (request, reply) => {
    const context = await load(request);
    if (!request.isMultipart()) throw new DomainError('unsupported_media_type', 'Send the file as a multipart form upload');
    const file = await request.file();
    if (!file || !file.filename) throw new DomainError('bad_request', 'Choose a CSV file to upload');
    const imp = await receiveUpload(
      db,
      app.deps,
      staffActor(request),
      storage,
      { orgId: context.access.org.id, eventId: context.event.id, staffId: context.access.staff.id },
      { fileName: file.filename, stream: file.file, truncated: () => file.file.truncated },
    );
    return redirect(reply, `${importsPath(context.access, context.event)}/${imp.id}`);
  });

  app.get(`${base}/:importId`, async (request, reply) => showImport(request, reply, await loadImport(request)));

  app.post(`${base}/:importId/check`, { schema: { body: CheckBody } }, async (request, reply) => {
    const context = await loadImport(request);
    const body = request.body as { column: string[]; policy?: ExistingPolicy };
    const columns = body.column as ColumnTarget[];
    if (!body.policy) {
      return showImport(request, reply, context, { columns, policy: null, errors: ['Choose what to do with people already in the event'] }, 400);
    }
    try {
      await checkImport(db, app.deps, storage, context.imp, { columns, policy: body.policy });
    } catch (error) {
      if (!isDomainError(error) || error.code !== 'validation_failed') throw error;
      const details = Array.isArray(error.details) ? (error.details as Array<{ message: string }>) : [];
      return showImport(request, reply, context, { columns, policy: body.policy, errors: details.map((d) => d.message) }, 400);
    }
    return redirect(reply, `${importsPath(context.access, context.event)}/${context.imp.id}#report`);
  });

  app.post(`${base}/:importId/run`, { schema: { body: RunBody } }, async (request, reply) => {
    const context = await loadImport(request);
    try {
      await runImport(db, app.deps, staffActor(request), storage, context.imp);
    } catch (error) {
      if (isDomainError(error)) throw error;
      request.log.error({ err: error, importId: context.imp.id }, 'import failed and was rolled back');
      throw new DomainError('internal_error', 'The import failed and was rolled back: nothing was imported. Try again; if it fails again, tell your administrator.');
    }
    return redirect(reply, `${importsPath(context.access, context.event)}/${context.imp.id}?done=imported#report`);
  });

  // Every bad row, not only the first ones on the page; cells neutralised like any export.
  app.get(`${base}/:importId/problems.csv`, async (request, reply) => {
    const context = await loadImport(request);
    const problems = problemRows(db, storage, context.imp);
    // Read the first row before answering, so a missing file is an error page, not a broken download.
    const first = await problems.next();
    async function* rows(): AsyncGenerator<string[]> {
      yield ['line', 'email', 'problems'];
      for (let item = first; !item.done; item = await problems.next()) {
        const { line, email, reasons } = item.value.error;
        yield [String(line), email ?? '', reasons.join('; ')].map(safeCell);
      }
    }
    const name = context.imp.fileName.replace(/\.csv$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'import';
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}-problems.csv"`)
      .header('cache-control', 'no-store')
      .send(csvStream(rows()));
  });
}
