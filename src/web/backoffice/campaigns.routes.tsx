import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { DomainError } from '../../lib/errors.js';
import type { Actor, Ctx } from '../../lib/context.js';
import type { Db } from '../../db/database.js';
import {
  campaignAudienceCount,
  campaignProgress,
  cancelCampaign,
  createCampaign,
  getCampaign,
  getTemplate,
  listCampaignMessages,
  listCampaigns,
  listTemplates,
  pauseCampaign,
  resumeCampaign,
  retryFailedMessages,
  scheduleCampaign,
  startCampaign,
  unscheduleCampaign,
  type Campaign,
  type OutboxStatus,
} from '../../modules/emailing/index.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { CampaignBody, CampaignForm, NewCampaignQuery, audienceOf, campaignValuesFromBody, campaignValuesFromQuery, type CampaignFormValues } from './campaign-form.js';
import { CampaignList, CampaignView, MESSAGE_STATUSES } from './campaign-views.js';
import { loadEmailPage, type EmailPage } from './email-pages.js';
import { EventHeader, formErrorsOf, type FormErrors } from './event-ui.js';
import { zonedToUtc } from './event-time.js';

const Csrf = Type.String({ maxLength: 200 });
const ActionBody = Type.Object({ _csrf: Csrf }, { additionalProperties: false });
const ScheduleBody = Type.Object({ _csrf: Csrf, scheduled_at: Type.String({ maxLength: 40 }) }, { additionalProperties: false });
const PageQuery = Type.Object({
  status: Type.Optional(Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s)))),
  after: Type.Optional(Type.String({ maxLength: 40 })),
});

type Transition = (trx: Db, ctx: Ctx, actor: Actor, campaign: Campaign) => Promise<unknown>;

// Domain paths of a refused campaign, as form field names.
const ERROR_PATHS = { templateId: 'template_id', 'audience/ids': 'audience', 'audience/statuses': 'audience', 'audience/fields': 'audience' };

/** Campaigns of an event: staff follow them; admins create, send, schedule, pause, cancel, retry. */
export async function campaignsRoutes(app: FastifyInstance): Promise<void> {
  const { db, dialect } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId/campaigns';
  const pathOf = (page: EmailPage) => `${page.eventBase}/campaigns`;

  async function loadCampaign(request: FastifyRequest, page: EmailPage): Promise<Campaign> {
    return getCampaign(db, page.access.org.id, page.event.id, (request.params as { campaignId: string }).campaignId);
  }

  async function showForm(request: FastifyRequest, reply: FastifyReply, page: EmailPage, values: CampaignFormValues, errors: FormErrors, status = 200) {
    const templates = await listTemplates(db, page.access.org.id, { eventId: page.event.id });
    return renderPage(request, reply, { title: 'New campaign', nav: navOf(page.access), status }, (csrf) => (
      <section>
        <EventHeader access={page.access} event={page.event} current="campaigns" />
        <h1>New campaign</h1>
        {templates.length === 0 && (
          <p class="error-text">
            There is no template yet: <a href={`${page.eventBase}/emails/templates/new`}>write one</a> first.
          </p>
        )}
        <CampaignForm action={pathOf(page)} csrf={csrf} values={values} errors={errors} templates={templates} fields={page.fields} />
      </section>
    ));
  }

  async function showCampaign(request: FastifyRequest, reply: FastifyReply, page: EmailPage, campaign: Campaign, error: string | null = null, code = 200) {
    const query = (request.query ?? {}) as { status?: OutboxStatus; after?: string };
    const template = await getTemplate(db, page.access.org.id, campaign.templateId).catch(() => null);
    const progress = await campaignProgress(db, campaign);
    const startable = campaign.status === 'draft' || campaign.status === 'scheduled';
    const audienceCount = startable ? await campaignAudienceCount(db, dialect, campaign) : null;
    const messages = await listCampaignMessages(db, campaign, { status: query.status, after: query.after });
    const now = app.deps.clock.now().toISOString();
    return renderPage(request, reply, { title: campaign.name, nav: navOf(page.access), status: code }, (csrf) => (
      <section>
        <EventHeader access={page.access} event={page.event} current="campaigns" />
        <CampaignView
          page={page}
          campaign={campaign}
          template={template}
          progress={progress}
          audienceCount={audienceCount}
          messages={messages}
          status={query.status ?? null}
          after={query.after ?? null}
          csrf={csrf}
          error={error}
          now={now}
        />
      </section>
    ));
  }

  /** Runs a state change in one transaction; a refusal (wrong state) shows the page with why. */
  async function act(request: FastifyRequest, reply: FastifyReply, done: string, change: (trx: Db, page: EmailPage, campaign: Campaign) => Promise<unknown>) {
    const page = await loadEmailPage(app, request, 'admin');
    const campaign = await loadCampaign(request, page);
    try {
      await db.transaction().execute((trx) => change(trx, page, campaign));
    } catch (error) {
      if (!(error instanceof DomainError) || (error.code !== 'conflict' && error.code !== 'validation_failed')) throw error;
      return showCampaign(request, reply, page, await loadCampaign(request, page), error.message, error.code === 'conflict' ? 409 : 400);
    }
    return redirect(reply, `${pathOf(page)}/${campaign.id}?done=${done}`);
  }

  app.get(base, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'staff');
    const campaigns = await listCampaigns(db, page.access.org.id, page.event.id);
    const templates = new Map((await listTemplates(db, page.access.org.id, { eventId: page.event.id })).map((t) => [t.id, t]));
    return renderPage(request, reply, { title: `Campaigns · ${page.event.name}`, nav: navOf(page.access) }, () => (
      <section>
        <EventHeader access={page.access} event={page.event} current="campaigns" />
        <CampaignList page={page} campaigns={campaigns} templates={templates} />
      </section>
    ));
  });

  app.get(`${base}/new`, { schema: { querystring: NewCampaignQuery } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'admin');
    return showForm(request, reply, page, campaignValuesFromQuery(request.query), {});
  });

  app.post(base, { schema: { body: CampaignBody } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'admin');
    const values = campaignValuesFromBody(request.body);
    try {
      const input = { name: values.name, templateId: values.templateId, audience: audienceOf(values) };
      const campaign = await db.transaction().execute((trx) => createCampaign(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, input));
      return redirect(reply, `${pathOf(page)}/${campaign.id}?done=created`);
    } catch (error) {
      const errors = formErrorsOf(error, ERROR_PATHS, 'name');
      if (!errors) throw error;
      return showForm(request, reply, page, values, errors, 400);
    }
  });

  app.get(`${base}/:campaignId`, { schema: { querystring: PageQuery } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'staff');
    return showCampaign(request, reply, page, await loadCampaign(request, page));
  });

  app.post(`${base}/:campaignId/send`, { schema: { body: ActionBody } }, (request, reply) =>
    act(request, reply, 'sending', async (trx, _page, campaign) => {
      if (!(await startCampaign(trx, app.deps, dialect, staffActor(request), campaign))) throw new DomainError('conflict', 'This campaign has already started or ended');
    }),
  );

  app.post(`${base}/:campaignId/schedule`, { schema: { body: ScheduleBody } }, (request, reply) =>
    act(request, reply, 'scheduled', (trx, page, campaign) => {
      const local = (request.body as { scheduled_at: string }).scheduled_at;
      // The organiser types the time of the event's zone; it is stored in UTC.
      const at = zonedToUtc(local, page.event.timeZone);
      if (!at) throw new DomainError('validation_failed', 'Give a date and time, e.g. 2026-09-13 09:00', [{ path: '/scheduledAt', message: 'Give a date and time' }]);
      return scheduleCampaign(trx, app.deps, staffActor(request), campaign, at);
    }),
  );

  const transitions: Array<[string, string, Transition]> = [
    ['unschedule', 'unscheduled', unscheduleCampaign],
    ['pause', 'paused', pauseCampaign],
    ['resume', 'resumed', resumeCampaign],
    ['cancel', 'cancelled', cancelCampaign],
    ['retry', 'retried', retryFailedMessages],
  ];
  for (const [action, done, change] of transitions) {
    app.post(`${base}/:campaignId/${action}`, { schema: { body: ActionBody } }, (request, reply) =>
      act(request, reply, done, (trx, _page, campaign) => change(trx, app.deps, staffActor(request), campaign)),
    );
  }
}
