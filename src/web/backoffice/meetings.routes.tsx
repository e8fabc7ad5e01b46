import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import {
  availabilityGrid,
  closeMeetingCampaign,
  createMeetingCampaign,
  exportAvailability,
  getMeetingCampaign,
  listMeetingCampaigns,
  updateMeetingCampaign,
  type MeetingCampaign,
} from '../../modules/meetings/index.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { zonedToUtc } from './event-time.js';
import { formErrorsOf, paramsOf, refusalStatus, type FormErrors } from './event-ui.js';
import { CAMPAIGN_PATHS, CampaignBody, CampaignEditor, CampaignList, CampaignPage, blankCampaignValues, campaignValuesOf, meetingsPath, type CampaignValues } from './meeting-views.js';

interface Page {
  access: OrgAccess;
  event: Event;
}

/** Meeting planners' pages: availability campaigns, everyone's answers as a grid, CSV. Staff and up. */
export async function meetingsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId/meetings';

  async function load(request: FastifyRequest): Promise<Page> {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'staff');
    return { access, event: await getEvent(db, access.org.id, eventId!) };
  }

  async function loadCampaign(request: FastifyRequest): Promise<Page & { campaign: MeetingCampaign }> {
    const page = await load(request);
    return { ...page, campaign: await getMeetingCampaign(db, page.access.org.id, page.event.id, paramsOf(request)['campaignId']!) };
  }

  function editor(request: FastifyRequest, reply: FastifyReply, page: Page, campaign: MeetingCampaign | null, values: CampaignValues, errors: FormErrors = {}, status = 200) {
    return renderPage(request, reply, { title: campaign ? `Edit ${campaign.name}` : 'New availability campaign', nav: navOf(page.access), status }, (csrf) => (
      <CampaignEditor {...page} csrf={csrf} campaign={campaign} values={values} errors={errors} />
    ));
  }

  async function save(request: FastifyRequest, reply: FastifyReply, page: Page, campaign: MeetingCampaign | null) {
    const { _csrf: _ignored, ...values } = request.body as CampaignValues & { _csrf: string };
    const closesAt = zonedToUtc(values.closes_at, page.event.timeZone);
    if (!closesAt) return editor(request, reply, page, campaign, values, { closes_at: 'Give the date and time answers close' }, 400);
    const input = { name: values.name, firstDay: values.first_day, lastDay: values.last_day, dayStarts: values.day_starts, dayEnds: values.day_ends, slotMinutes: Number(values.slot_minutes), closesAt };
    const { orgId, eventId } = { orgId: page.access.org.id, eventId: page.event.id };
    let saved: MeetingCampaign;
    try {
      saved = await db.transaction().execute((trx) =>
        campaign ? updateMeetingCampaign(trx, app.deps, staffActor(request), orgId, eventId, campaign.id, input) : createMeetingCampaign(trx, app.deps, staffActor(request), orgId, eventId, input),
      );
    } catch (error) {
      const errors = formErrorsOf(error, CAMPAIGN_PATHS, 'name');
      if (!errors) throw error;
      return editor(request, reply, page, campaign, values, errors, refusalStatus(error));
    }
    return redirect(reply, `${meetingsPath(orgId, eventId)}/${saved.id}?done=${campaign ? 'saved' : 'created'}`);
  }

  app.get(base, async (request, reply) => {
    const page = await load(request);
    const campaigns = await listMeetingCampaigns(db, page.access.org.id, page.event.id);
    return renderPage(request, reply, { title: `Meetings · ${page.event.name}`, nav: navOf(page.access) }, () => <CampaignList {...page} campaigns={campaigns} now={app.deps.clock.now()} />);
  });

  app.get(`${base}/new`, async (request, reply) => {
    const page = await load(request);
    return editor(request, reply, page, null, blankCampaignValues(page.event));
  });
  app.post(`${base}/new`, { schema: { body: CampaignBody } }, async (request, reply) => save(request, reply, await load(request), null));

  app.get(`${base}/:campaignId`, async (request, reply) => {
    const { campaign, ...page } = await loadCampaign(request);
    const grid = await availabilityGrid(db, campaign);
    return renderPage(request, reply, { title: `${campaign.name} · ${page.event.name}`, nav: navOf(page.access) }, (csrf) => (
      <CampaignPage {...page} csrf={csrf} campaign={campaign} grid={grid} now={app.deps.clock.now()} />
    ));
  });

  app.get(`${base}/:campaignId/edit`, async (request, reply) => {
    const { campaign, ...page } = await loadCampaign(request);
    return editor(request, reply, page, campaign, campaignValuesOf(campaign, page.event));
  });
  app.post(`${base}/:campaignId/edit`, { schema: { body: CampaignBody } }, async (request, reply) => {
    const { campaign, ...page } = await loadCampaign(request);
    return save(request, reply, page, campaign);
  });

  app.post(`${base}/:campaignId/close`, async (request, reply) => {
    const { campaign, ...page } = await loadCampaign(request);
    await db.transaction().execute((trx) => closeMeetingCampaign(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, campaign.id));
    return redirect(reply, `${meetingsPath(page.access.org.id, page.event.id)}/${campaign.id}?done=saved`);
  });

  app.get(`${base}/:campaignId/availability.csv`, async (request, reply) => {
    const { campaign, ...page } = await loadCampaign(request);
    const csv = await exportAvailability(db, app.deps, staffActor(request), campaign);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${page.event.slug}-availability.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });
}
