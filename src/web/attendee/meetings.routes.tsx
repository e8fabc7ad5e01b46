import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/database.js';
import { attendeeOf } from '../../http/attendee-session.js';
import { DomainError } from '../../lib/errors.js';
import type { Event } from '../../modules/events/index.js';
import {
  answerAvailability,
  availabilityOf,
  getMeetingCampaign,
  isMeetingCampaignClosed,
  isMeetingRecipient,
  openMeetingCampaign,
  slotsOf,
  type MeetingCampaign,
} from '../../modules/meetings/index.js';
import { formErrorsOf } from '../backoffice/event-ui.js';
import { CsrfField } from '../layout.js';
import { redirect } from '../page.js';
import { renderAttendeePage } from './attendee-page.js';
import { openFormSession } from './form-links.js';
import { registerLinkPurpose } from './link-purposes.js';
import { AvailabilityTable } from './meeting-views.js';
import { attendeeActor, closingTime, eventMissing, notice, publicEvent, type Access } from './site-ui.js';

export function meetingPagePath(eventId: string, campaignId: string): string {
  return `/e/${eventId}/meetings/${campaignId}`;
}

/** The open availability campaign whose link was sent to this participant, for the app's home page. */
export async function meetingFor(db: Db, event: Event, participantId: string, now: Date): Promise<{ name: string; href: string } | null> {
  const campaign = await openMeetingCampaign(db, event.orgId, event.id, now);
  return campaign && (await isMeetingRecipient(db, campaign, participantId)) ? { name: campaign.name, href: meetingPagePath(event.id, campaign.id) } : null;
}

registerLinkPurpose({
  purpose: 'meeting',
  label: 'availability link',
  landing: ({ event, shortName }) => ({
    heading: `Give your availability for meetings${event ? ` at ${event.name}` : ''}`,
    text: `This personal link lets ${shortName} mark the times they are available for meetings. Nothing is recorded until the form is saved.`,
    button: 'Continue',
  }),
  async redeem(db, app, request, reply, credential) {
    const campaignId = credential.data['campaign'] ?? '';
    const eventId = await openFormSession(db, app, request, reply, credential, { meeting: campaignId });
    // A meeting link minted without its campaign (a generic "fresh link") has no form to open.
    return campaignId ? meetingPagePath(eventId, campaignId) : `/e/${eventId}`;
  },
  // Links die when answers close; a fresh copy by email would not reopen them. The page says
  // whether answers are still open and whom to ask.
  renewal: (credential) => ({
    href: meetingPagePath(credential.eventId ?? '', credential.data['campaign'] ?? ''),
    text: 'Availability links stop working when answers close. The availability page says whether they are still open; if they are, ask the organiser to send you the link again.',
    button: 'See the availability page',
  }),
});

const AnswerBody = Type.Object(
  { _csrf: Type.String({ maxLength: 200 }), slot: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 1000 })) },
  { additionalProperties: false },
);

interface Loaded {
  event: Event;
  campaign: MeetingCampaign;
  access: Access;
}

/**
 * Who may answer this campaign: the session its own link opened, or the participant's app
 * session (or a staff preview of it) when the link was sent to them. A link's session for
 * another campaign, form or RSVP opens nothing here.
 */
async function accessTo(app: FastifyInstance, request: FastifyRequest, event: Event, campaign: MeetingCampaign): Promise<Access | null> {
  const session = await attendeeOf(app, request);
  if (!session || session.eventId !== event.id) return null;
  if (session.kind === 'form') return session.scope['meeting'] === campaign.id ? { session, mode: 'link' } : null;
  if (!(await isMeetingRecipient(app.deps.db, campaign, session.participantId))) return null;
  return { session, mode: session.kind === 'app' ? 'app' : 'preview' };
}

async function load(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<Loaded | FastifyReply> {
  const event = await publicEvent(app, request);
  if (!event) return eventMissing(request, reply);
  const { campaignId } = request.params as { campaignId: string };
  const campaign = await getMeetingCampaign(app.deps.db, event.orgId, event.id, campaignId).catch((err: unknown) => {
    if (err instanceof DomainError && err.code === 'not_found') return null;
    throw err;
  });
  if (!campaign) return notice(request, reply, { title: 'Not found', event, status: 404 }, <p>This availability form does not exist, or no longer does.</p>);
  if (isMeetingCampaignClosed(campaign, app.deps.clock.now())) {
    return notice(request, reply, { title: 'Answers are closed', event, status: 403 }, (
      <p>
        Answers to “{campaign.name}” closed on {closingTime(campaign.closesAt, event)}. Your earlier answers, if any, are with the organiser: contact them if
        your availability changed.
      </p>
    ));
  }
  const access = await accessTo(app, request, event, campaign);
  if (!access) {
    return notice(request, reply, { title: campaign.name, event, status: 403 }, <p>Open this page with the availability link in your email.</p>);
  }
  return { event, campaign, access };
}

async function showForm(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, loaded: Loaded, options: { saved?: boolean; error?: string } = {}) {
  const { event, campaign, access } = loaded;
  const earlier = await availabilityOf(app.deps.db, campaign, access.session.participantId);
  const readOnly = access.mode === 'preview';
  return renderAttendeePage(request, reply, { title: campaign.name, eventName: event.name, session: access.session, status: options.error ? 400 : 200 }, (csrf) => (
    <section>
      <h1>{campaign.name}</h1>
      {options.saved && (
        <p class="flash" role="status">
          Saved: the organisers see your availability.
        </p>
      )}
      {options.error && (
        <p class="error-text" role="alert">
          {options.error}
        </p>
      )}
      <p>
        Tick every time you could meet. {earlier ? `You last answered on ${closingTime(earlier.answeredAt, event)}.` : 'You have not answered yet.'} You can change
        your answer until {closingTime(campaign.closesAt, event)}.
      </p>
      <form method="post" action={`/e/${event.id}/meetings/${campaign.id}`}>
        <CsrfField csrf={csrf} />
        <AvailabilityTable slots={slotsOf(campaign)} checked={new Set(earlier?.available ?? [])} disabled={readOnly} timeZone={event.timeZone} />
        <p>
          <button type="submit" disabled={readOnly} data-testid="availability-save">
            Save my availability
          </button>
        </p>
      </form>
    </section>
  ));
}

/** The availability form a meeting link opens: a checkbox per slot, saved as a whole. */
export async function meetingRoutes(app: FastifyInstance): Promise<void> {
  const path = '/e/:eventId/meetings/:campaignId';

  app.get(path, async (request, reply) => {
    const loaded = await load(app, request, reply);
    if (!('campaign' in loaded)) return loaded;
    return showForm(app, request, reply, loaded, { saved: (request.query as Record<string, unknown>)['saved'] === '1' });
  });

  app.post(path, { schema: { body: AnswerBody }, config: { rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const loaded = await load(app, request, reply);
    if (!('campaign' in loaded)) return loaded;
    const { event, campaign, access } = loaded;
    if (access.mode === 'preview') return notice(request, reply, { title: 'Staff preview', event, status: 403, session: access.session }, <p>A staff preview cannot answer for the attendee.</p>);
    const body = request.body as Static<typeof AnswerBody>;
    const participantId = access.session.participantId;
    try {
      await app.deps.db.transaction().execute((trx) => answerAvailability(trx, app.deps, attendeeActor(request, participantId), { campaign, participantId, available: body.slot ?? [] }));
    } catch (error) {
      const errors = formErrorsOf(error);
      if (!errors) throw error;
      return showForm(app, request, reply, loaded, { error: Object.values(errors)[0] ?? 'Please try again' });
    }
    return redirect(reply, `${meetingPagePath(event.id, campaign.id)}?saved=1`);
  });
}
