import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { Type } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import {
  MAX_BADGE_FIELDS,
  badgeCounts,
  bulkBadgePdf,
  createBadgeLayout,
  defaultLayout,
  deleteBadgeLayout,
  getBadgeLayout,
  listBadgeLayouts,
  participantBadgePdf,
  sampleBadgePdf,
  updateBadgeLayout,
  type BadgeLayout,
  type BadgeLayoutInput,
} from '../../modules/badges/index.js';
import { listCustomFields, type CustomField } from '../../modules/custom-fields/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import type { Participant } from '../../modules/participants/index.js';
import { redirect, renderPage } from '../page.js';
import { BadgesPage, LayoutEditor, badgesPath, layoutFormValues, type LayoutFormValues } from './badge-views.js';
import { navOf } from './components.js';
import { eventPath, formErrorsOf, paramsOf, type FormErrors } from './event-ui.js';
import { ListQuery, listStateOf, participantQueryOf } from './participant-list.js';

const Short = Type.Optional(Type.String({ maxLength: 10 }));
const rowProperties = Object.fromEntries(
  Array.from({ length: MAX_BADGE_FIELDS }, (_, i) => [
    [`order_${i}`, Short],
    [`source_${i}`, Type.Optional(Type.String({ maxLength: 120 }))],
    [`size_${i}`, Short],
    [`bold_${i}`, Short],
  ]).flat(),
);
const LayoutBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    name: Type.String({ maxLength: 1000 }),
    page_size: Type.Optional(Type.String({ maxLength: 40 })),
    qr_size: Type.Optional(Type.String({ maxLength: 40 })),
    qr_position: Type.Optional(Type.String({ maxLength: 40 })),
    ...rowProperties,
  },
  { additionalProperties: false },
);
const DeleteBody = Type.Object({ _csrf: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
const LayoutQuery = Type.Object({ layout: Type.Optional(Type.String({ maxLength: 40 })) });
const BulkQuery = Type.Object({ ...ListQuery.properties, layout: Type.Optional(Type.String({ maxLength: 40 })) });

/**
 * The form as typed, and the domain input: rows with a field, sorted by their order number (rows
 * with the same number keep their place). `rowOf[i]` is the form row of the input's i-th field,
 * so a refusal about `fields.i.size` is shown next to the right input.
 */
function readLayoutForm(body: Record<string, string | undefined>): { values: LayoutFormValues; input: BadgeLayoutInput; rowOf: number[] } {
  const rows = Array.from({ length: MAX_BADGE_FIELDS }, (_, i) => ({
    order: body[`order_${i}`] ?? '',
    source: body[`source_${i}`] ?? '',
    size: body[`size_${i}`] ?? '',
    bold: body[`bold_${i}`] === 'on',
  }));
  const used = rows
    .map((row, index) => ({ row, index, order: Number.parseInt(row.order, 10) }))
    .filter(({ row }) => row.source !== '')
    .sort((a, b) => (Number.isNaN(a.order) ? 99 : a.order) - (Number.isNaN(b.order) ? 99 : b.order) || a.index - b.index);
  const values = { name: body['name'] ?? '', pageSize: body['page_size'] ?? '', qrSize: body['qr_size'] ?? '', qrPosition: body['qr_position'] ?? '', rows };
  const input: BadgeLayoutInput = {
    name: values.name,
    pageSize: values.pageSize,
    qrSize: values.qrSize,
    qrPosition: values.qrPosition,
    fields: used.map(({ row }) => ({ source: row.source, size: /^\s*\d{1,3}\s*$/.test(row.size) ? Number(row.size) : Number.NaN, bold: row.bold })),
  };
  return { values, input, rowOf: used.map(({ index }) => index) };
}

function errorPaths(rowOf: number[]): Record<string, string> {
  const paths: Record<string, string> = {};
  rowOf.forEach((row, i) => {
    paths[`fields.${i}.source`] = `source_${row}`;
    paths[`fields.${i}.size`] = `size_${row}`;
  });
  return paths;
}

function sendPdf(reply: FastifyReply, filename: string, stream: Readable, headers: Record<string, string> = {}): FastifyReply {
  // no-store: the file carries check-in credentials and must not sit in a shared cache.
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .headers(headers)
    .send(stream);
}

/** Badge layouts (editor and sample PDF) and badge downloads, single and bulk, for staff and up. */
export async function badgesRoutes(app: FastifyInstance): Promise<void> {
  const { db, dialect } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId';

  async function load(request: FastifyRequest): Promise<{ access: OrgAccess; event: Event; fields: CustomField[] }> {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'staff');
    const event = await getEvent(db, access.org.id, eventId!);
    return { access, event, fields: await listCustomFields(db, access.org.id, event.id) };
  }

  function showEditor(request: FastifyRequest, reply: FastifyReply, page: Awaited<ReturnType<typeof load>>, layout: BadgeLayout | null, values: LayoutFormValues, errors: FormErrors, status = 200) {
    return renderPage(request, reply, { title: `Badge layout · ${page.event.name}`, nav: navOf(page.access), status }, (csrf) => (
      <LayoutEditor access={page.access} event={page.event} fields={page.fields} layout={layout} values={values} errors={errors} csrf={csrf} />
    ));
  }

  async function save(request: FastifyRequest, reply: FastifyReply, layout: BadgeLayout | null) {
    const page = await load(request);
    const { values, input, rowOf } = readLayoutForm(request.body as Record<string, string | undefined>);
    const { org } = page.access;
    try {
      const saved = await db.transaction().execute((trx) =>
        layout
          ? updateBadgeLayout(trx, app.deps, staffActor(request), org.id, page.event.id, layout.id!, input)
          : createBadgeLayout(trx, app.deps, staffActor(request), org.id, page.event.id, input),
      );
      return redirect(reply, `${badgesPath(org.id, page.event.id)}/${saved.id}?done=${layout ? 'saved' : 'created'}`);
    } catch (error) {
      const errors = formErrorsOf(error, errorPaths(rowOf), 'name');
      if (!errors) throw error;
      return showEditor(request, reply, page, layout, values, errors, 400);
    }
  }

  app.get(`${base}/badges`, { schema: { querystring: ListQuery } }, async (request, reply) => {
    const page = await load(request);
    const { cursor: _ignored, ...state } = listStateOf(request.query);
    const layouts = await listBadgeLayouts(db, page.access.org.id, page.event.id);
    const shown = layouts.length > 0 ? layouts : [defaultLayout(page.event.id, page.fields.map((f) => f.key))];
    const counts = await badgeCounts(db, dialect, page.access.org.id, page.event.id, participantQueryOf(state, null, page.fields));
    const filtered = Boolean(state.q || state.f || state.statuses.length > 0);
    return renderPage(request, reply, { title: `Badges · ${page.event.name}`, nav: navOf(page.access) }, () => (
      <BadgesPage access={page.access} event={page.event} fields={page.fields} layouts={shown} state={state} filtered={filtered} counts={counts} />
    ));
  });

  app.get(`${base}/badges/new`, async (request, reply) => {
    const page = await load(request);
    const start = defaultLayout(page.event.id, page.fields.map((f) => f.key));
    return showEditor(request, reply, page, null, layoutFormValues({ ...start, name: '' }), {});
  });

  app.post(`${base}/badges`, { schema: { body: LayoutBody } }, async (request, reply) => save(request, reply, null));

  // Before `/badges/:layoutId`, though the router prefers the static segment anyway.
  app.post(`${base}/badges/sample`, { schema: { body: LayoutBody } }, async (request, reply) => {
    const page = await load(request);
    const { values, input, rowOf } = readLayoutForm(request.body as Record<string, string | undefined>);
    try {
      const stream = await sampleBadgePdf(db, page.access.org.id, page.event.id, input);
      return sendPdf(reply, `${page.event.slug}-sample-badge.pdf`, stream);
    } catch (error) {
      const errors = formErrorsOf(error, errorPaths(rowOf), 'name');
      if (!errors) throw error;
      const { layoutId } = request.query as { layoutId?: string };
      return showEditor(request, reply, page, layoutId ? await getBadgeLayout(db, page.access.org.id, page.event.id, layoutId) : null, values, errors, 400);
    }
  });

  app.get(`${base}/badges/:layoutId`, async (request, reply) => {
    const page = await load(request);
    const layout = await getBadgeLayout(db, page.access.org.id, page.event.id, paramsOf(request)['layoutId']!);
    return showEditor(request, reply, page, layout, layoutFormValues(layout), {});
  });

  app.post(`${base}/badges/:layoutId`, { schema: { body: LayoutBody } }, async (request, reply) => {
    const { orgId, eventId, layoutId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'staff');
    const layout = await getBadgeLayout(db, access.org.id, eventId!, layoutId!);
    return save(request, reply, layout);
  });

  app.post(`${base}/badges/:layoutId/delete`, { schema: { body: DeleteBody } }, async (request, reply) => {
    const page = await load(request);
    await db.transaction().execute((trx) => deleteBadgeLayout(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, paramsOf(request)['layoutId']!));
    return redirect(reply, `${badgesPath(page.access.org.id, page.event.id)}?done=deleted`);
  });

  app.get(`${base}/badges.pdf`, { schema: { querystring: BulkQuery } }, async (request, reply) => {
    const page = await load(request);
    const { cursor: _ignored, ...state } = listStateOf(request.query);
    const layoutId = (request.query as { layout?: string }).layout || null;
    const query = participantQueryOf(state, null, page.fields);
    const download = await bulkBadgePdf(db, dialect, app.deps, staffActor(request), page.access.org.id, page.event.id, query, layoutId);
    return sendPdf(reply, `${page.event.slug}-badges.pdf`, download.stream, { 'x-badge-count': String(download.count), 'x-badges-skipped': String(download.skipped) });
  });

  app.get(`${base}/participants/:participantId/badge.pdf`, { schema: { querystring: LayoutQuery } }, async (request, reply) => {
    const page = await load(request);
    const layoutId = (request.query as { layout?: string }).layout || null;
    const participantId = paramsOf(request)['participantId']!;
    const download = await participantBadgePdf(db, app.deps, staffActor(request), page.access.org.id, page.event.id, participantId, layoutId);
    return sendPdf(reply, `${page.event.slug}-badge-${participantId}.pdf`, download.stream);
  });
}

/**
 * The participant page's download (registered participants only): a plain link with one layout,
 * a layout choice (a GET form, no JavaScript) when the event has several.
 */
export async function badgeButtonFor(app: FastifyInstance, access: OrgAccess, event: Event, participant: Participant): Promise<ComponentChildren> {
  if (participant.status !== 'registered') return null;
  const href = `${eventPath(access.org.id, event.id)}/participants/${participant.id}/badge.pdf`;
  const layouts = await listBadgeLayouts(app.deps.db, access.org.id, event.id);
  if (layouts.length <= 1) {
    return (
      <a class="button secondary" href={href} data-testid="badge-pdf">
        Badge (PDF)
      </a>
    );
  }
  return (
    <form method="get" action={href} class="inline">
      <select name="layout" aria-label="Badge layout">
        {layouts.map((layout) => (
          <option value={layout.id!}>{layout.name}</option>
        ))}
      </select>{' '}
      <button type="submit" class="secondary" data-testid="badge-pdf">
        Badge (PDF)
      </button>
    </form>
  );
}
