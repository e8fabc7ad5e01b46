import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { DomainError } from '../../lib/errors.js';
import { ID_REGEX_SOURCE } from '../../lib/ids.js';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  previewTemplate,
  sendTemplateTest,
  TemplateRenderError,
  updateTemplate,
  type EmailTemplate,
  type Preview,
  type TemplateProblem,
} from '../../modules/emailing/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { getParticipant, listParticipants, type Participant } from '../../modules/participants/index.js';
import { redirect, renderPage } from '../page.js';
import { PostButton, navOf } from './components.js';
import { loadEmailPage, type EmailPage } from './email-pages.js';
import { TemplateList } from './template-list.js';
import { PreviewPanel, SendTestPanel } from './template-preview-views.js';
import { ProblemSummary, TemplateBody, TemplateForm, blankTemplateValues, templateValuesFromBody, templateValuesOf, type TemplateBodyType, type TemplateFormValues } from './template-views.js';
import { EventHeader } from './event-ui.js';

/**
 * The HTML preview is organiser-written markup filled with attendee data: it runs nothing, loads
 * nothing but inline images and styles, cannot navigate, and only our own pages may frame it.
 */
export const PREVIEW_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'";

const IdParam = Type.String({ pattern: ID_REGEX_SOURCE });
const EditorQuery = Type.Object({ participant: Type.Optional(Type.String({ maxLength: 40 })), q: Type.Optional(Type.String({ maxLength: 200 })) });
const FrameQuery = Type.Object({ participant: IdParam });
const TestBody = Type.Object({ _csrf: Type.String({ maxLength: 200 }), participants: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 5 }) }, { additionalProperties: false });
const DeleteBody = Type.Object({ _csrf: Type.String({ maxLength: 200 }) }, { additionalProperties: false });

interface EditorState {
  values: TemplateFormValues;
  problems: TemplateProblem[];
  message: string | null;
  testError: string | null;
  status: number;
}

/** Templates of an event (and of its organisation): list, editor with preview, send test. */
export async function templatesRoutes(app: FastifyInstance): Promise<void> {
  const { db, dialect, config } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId/emails';
  const settings = { publicUrl: config.publicUrl };
  const pathOf = (page: EmailPage) => `${page.eventBase}/emails`;

  async function loadTemplate(request: FastifyRequest, page: EmailPage): Promise<EmailTemplate> {
    const template = await getTemplate(db, page.access.org.id, (request.params as { templateId: string }).templateId);
    // Another event's template is as absent as a missing one.
    if (template.eventId !== null && template.eventId !== page.event.id) throw new DomainError('not_found', 'Template not found');
    return template;
  }

  /** Up to 50 participants to choose from (a search narrows them), with the chosen one first. */
  async function choices(page: EmailPage, q: string, wanted: string | undefined): Promise<{ participants: Participant[]; selected: string | null }> {
    const found = await listParticipants(db, dialect, page.access.org.id, page.event.id, { q: q || undefined, limit: 50, withTotal: false });
    const participants = found.items;
    if (wanted && !participants.some((p) => p.id === wanted)) {
      const extra = await getParticipant(db, page.access.org.id, page.event.id, wanted).catch(() => null);
      if (extra) participants.unshift(extra);
    }
    const selected = participants.find((p) => p.id === wanted)?.id ?? participants[0]?.id ?? null;
    return { participants, selected };
  }

  async function previewFor(page: EmailPage, template: EmailTemplate, participantId: string): Promise<Preview> {
    return previewTemplate(db, app.deps, { orgId: page.access.org.id, eventId: page.event.id, template, participantId, publicUrl: config.publicUrl, keys: app.deps.keys });
  }

  async function showEditor(request: FastifyRequest, reply: FastifyReply, page: EmailPage, template: EmailTemplate | null, state: EditorState) {
    const admin = roleAtLeast(page.access.role, 'admin');
    const query = (request.query ?? {}) as { participant?: string; q?: string };
    const editorHref = template ? `${pathOf(page)}/templates/${template.id}` : `${pathOf(page)}/templates`;
    let panel = null;
    if (template) {
      const { participants, selected } = await choices(page, query.q ?? '', query.participant);
      let preview: Preview | null = null;
      let error: string | null = null;
      if (selected) {
        try {
          preview = await previewFor(page, template, selected);
        } catch (err) {
          if (!(err instanceof TemplateRenderError)) throw err;
          error = err.message;
        }
      }
      const frameSrc = selected ? `${editorHref}/preview?participant=${selected}` : null;
      // The test offers the event's first participants, whatever the preview's search narrowed to.
      const testChoices = query.q ? (await choices(page, '', selected ?? undefined)).participants : participants;
      panel = { participants, selected, preview, error, frameSrc, testChoices };
    }
    const title = template ? template.name : 'New template';
    return renderPage(request, reply, { title, nav: navOf(page.access), status: state.status }, (csrf) => (
      <section>
        <EventHeader access={page.access} event={page.event} current="emails" />
        <p class="muted">
          <a href={pathOf(page)}>Email templates</a> › {title}
        </p>
        <h1>{title}</h1>
        <ProblemSummary problems={state.problems} message={state.message} />
        <TemplateForm action={editorHref} csrf={csrf} values={state.values} problems={state.problems} creating={!template} editable={admin} fields={page.fields} />
        {admin && template && <PostButton action={`${editorHref}/delete`} csrf={csrf} label="Delete template" danger />}
        {panel && template && (
          <>
            <PreviewPanel editorHref={editorHref} q={query.q ?? ''} {...panel} />
            {admin && <SendTestPanel action={`${editorHref}/test`} csrf={csrf} participants={panel.testChoices} to={page.access.staff.email} error={state.testError} />}
          </>
        )}
      </section>
    ));
  }

  const fresh = (values: TemplateFormValues): EditorState => ({ values, problems: [], message: null, testError: null, status: 200 });

  /** Saves through the domain's checks; a refusal shows every problem next to exactly what was typed. */
  async function save(request: FastifyRequest, reply: FastifyReply, page: EmailPage, template: EmailTemplate | null) {
    const values = templateValuesFromBody(request.body as TemplateBodyType);
    const input = { type: values.type, name: values.name, subject: values.subject, html: values.html, text: values.text };
    const { org } = page.access;
    try {
      const saved = template
        ? await updateTemplate(db, app.deps, staffActor(request), org.id, template.id, input, settings)
        : await createTemplate(db, app.deps, staffActor(request), org.id, values.level === 'org' ? null : page.event.id, input, settings);
      return redirect(reply, `${pathOf(page)}/templates/${saved.id}?done=${template ? 'saved' : 'created'}`);
    } catch (error) {
      if (!(error instanceof DomainError) || (error.code !== 'template_invalid' && error.code !== 'template_in_use')) throw error;
      const problems = Array.isArray(error.details) ? (error.details as TemplateProblem[]) : [];
      const state = { values: template ? { ...values, level: template.eventId ? ('event' as const) : ('org' as const) } : values, problems, message: error.message, testError: null };
      return showEditor(request, reply, page, template, { ...state, status: error.code === 'template_invalid' ? 422 : 409 });
    }
  }

  app.get(base, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'staff');
    const templates = await listTemplates(db, page.access.org.id, { eventId: page.event.id });
    return renderPage(request, reply, { title: `Email templates · ${page.event.name}`, nav: navOf(page.access) }, () => (
      <TemplateList page={page} templates={templates} path={pathOf(page)} />
    ));
  });

  app.get(`${base}/templates/new`, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'admin');
    return showEditor(request, reply, page, null, fresh(blankTemplateValues()));
  });

  app.post(`${base}/templates`, { schema: { body: TemplateBody } }, async (request, reply) => save(request, reply, await loadEmailPage(app, request, 'admin'), null));

  app.get(`${base}/templates/:templateId`, { schema: { querystring: EditorQuery } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'staff');
    const template = await loadTemplate(request, page);
    return showEditor(request, reply, page, template, fresh(templateValuesOf(template)));
  });

  app.post(`${base}/templates/:templateId`, { schema: { body: TemplateBody } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'admin');
    return save(request, reply, page, await loadTemplate(request, page));
  });

  app.post(`${base}/templates/:templateId/delete`, { schema: { body: DeleteBody } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'admin');
    const template = await loadTemplate(request, page);
    await deleteTemplate(db, app.deps, staffActor(request), page.access.org.id, template.id);
    return redirect(reply, `${pathOf(page)}?done=deleted`);
  });

  app.get(`${base}/templates/:templateId/preview`, { schema: { querystring: FrameQuery } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'staff');
    const template = await loadTemplate(request, page);
    const { participant } = request.query as { participant: string };
    let html: string;
    try {
      html = (await previewFor(page, template, participant)).html;
    } catch (err) {
      if (!(err instanceof TemplateRenderError)) throw err;
      html = `<p>${err.message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`;
    }
    return reply.header('content-security-policy', PREVIEW_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(`<!doctype html><meta charset="utf-8">${html}`);
  });

  app.post(`${base}/templates/:templateId/test`, { schema: { body: TestBody } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'admin');
    const template = await loadTemplate(request, page);
    const { participants } = request.body as { participants: string[] };
    const staff = page.access.staff;
    try {
      const queued = await sendTemplateTest(db, app.deps, staffActor(request), {
        orgId: page.access.org.id,
        eventId: page.event.id,
        templateId: template.id,
        participantIds: participants,
        to: { email: staff.email, name: staff.name },
        publicUrl: config.publicUrl,
        keys: app.deps.keys,
      });
      // A suppressed staff address (hard bounce) gets nothing: say so rather than "sent".
      const skipped = queued.find((q) => q.status === 'skipped');
      if (skipped) {
        const testError = `Not sent: your address ${staff.email} is suppressed (${skipped.reason ?? 'unknown reason'})`;
        return showEditor(request, reply, page, template, { ...fresh(templateValuesOf(template)), testError, status: 409 });
      }
      return redirect(reply, `${pathOf(page)}/templates/${template.id}?done=test_sent#send-test`);
    } catch (error) {
      if (!(error instanceof DomainError) || !['personal_value_shared', 'validation_failed', 'template_invalid'].includes(error.code)) throw error;
      const status = error.code === 'validation_failed' ? 400 : 422;
      return showEditor(request, reply, page, template, { ...fresh(templateValuesOf(template)), testError: error.message, status });
    }
  });
}
