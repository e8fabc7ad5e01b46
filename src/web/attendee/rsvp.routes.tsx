import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../lib/errors.js';
import { listCustomFields } from '../../modules/custom-fields/index.js';
import type { Event } from '../../modules/events/index.js';
import { answerRsvp, fieldsOfForm, findFormForSlug, isRsvpClosed, REGISTRATION_SLUG, rsvpClosesAt, type EventForm } from '../../modules/forms/index.js';
import { getParticipant } from '../../modules/participants/index.js';
import { formErrorsOf, type FormErrors } from '../backoffice/event-ui.js';
import { CsrfField } from '../layout.js';
import { redirect } from '../page.js';
import { renderAttendeePage } from './attendee-page.js';
import { AttendeeForm, AttendeeFormBody, blankValues, readAttendeeForm, valuesOfParticipant, type AttendeeFormValues } from './attendee-form.js';
import { accessFor, attendeeActor, closingTime, EventSummary, eventMissing, notice, publicEvent, type Access } from './site-ui.js';

const PATHS = { firstName: 'first_name', lastName: 'last_name' };

interface Loaded {
  event: Event;
  form: EventForm;
  access: Access;
}

async function load(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<Loaded | FastifyReply> {
  const event = await publicEvent(app, request);
  if (!event) return eventMissing(request, reply);
  const access = await accessFor(app, request, event, { rsvp: true });
  if (!access) {
    return notice(request, reply, { title: `Reply to ${event.name}`, event, status: 403 }, (
      <p>
        Open this page with the RSVP link in your invitation email, or <a href={`/app/${event.id}/sign-in`}>sign in to the event's app</a> first.
      </p>
    ));
  }
  if (isRsvpClosed(event, app.deps.clock.now())) {
    return notice(request, reply, { title: 'Replies are closed', event, status: 403, session: access.session }, (
      <p>Replies to the invitation to {event.name} closed on {closingTime(rsvpClosesAt(event), event)}. Contact the organiser if your plans changed.</p>
    ));
  }
  const form = (await findFormForSlug(app.deps.db, event.orgId, event.id, REGISTRATION_SLUG))!;
  return { event, form, access };
}

async function showPage(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, loaded: Loaded, values: AttendeeFormValues, errors: FormErrors, status = 200) {
  const { event, form, access } = loaded;
  const fields = fieldsOfForm(form, await listCustomFields(app.deps.db, event.orgId, event.id));
  const readOnly = access.mode === 'preview';
  const action = `/e/${event.id}/rsvp`;
  return renderAttendeePage(request, reply, { title: `Reply to ${event.name}`, eventName: event.name, session: access.session, status }, (csrf) => (
    <section>
      <h1>Will you come to {event.name}?</h1>
      <EventSummary event={event} />
      <p class="muted">You can change your answer until {closingTime(rsvpClosesAt(event), event)}.</p>
      <h2>Yes, I will come</h2>
      {access.mode === 'link' && <p class="muted">For your privacy nothing is filled in. Fields you leave empty keep what we already have.</p>}
      <AttendeeForm action={action} csrf={csrf} fields={fields} values={values} errors={errors} withNames withEmail={false} emailChange={false} submit="Accept the invitation" readOnly={readOnly} keepsStored={access.mode === 'link'}>
        <input type="hidden" name="answer" value="accepted" />
      </AttendeeForm>
      <h2>No, I cannot come</h2>
      <form method="post" action={action} class="card">
        <CsrfField csrf={csrf} />
        <input type="hidden" name="answer" value="declined" />
        <button type="submit" class="danger" disabled={readOnly} data-testid="rsvp-decline">
          Decline the invitation
        </button>
      </form>
    </section>
  ));
}

/** The RSVP page an invitation's personal link opens: accept (and give the registration data) or decline. */
export async function rsvpRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;

  app.get('/e/:eventId/rsvp', async (request, reply) => {
    const loaded = await load(app, request, reply);
    if (!('form' in loaded)) return loaded;
    const { event, access } = loaded;
    const values = access.mode === 'link' ? blankValues() : valuesOfParticipant(await getParticipant(db, event.orgId, event.id, access.session.participantId));
    return showPage(app, request, reply, loaded, values, {});
  });

  app.post('/e/:eventId/rsvp', { schema: { body: AttendeeFormBody }, config: { rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const loaded = await load(app, request, reply);
    if (!('form' in loaded)) return loaded;
    const { event, form, access } = loaded;
    if (access.mode === 'preview') return notice(request, reply, { title: 'Staff preview', event, status: 403, session: access.session }, <p>A staff preview cannot answer an invitation.</p>);
    const answer = (request.body as Record<string, unknown>)['answer'];
    if (answer !== 'accepted' && answer !== 'declined') throw new DomainError('bad_request', 'Choose to accept or decline');
    const fields = fieldsOfForm(form, await listCustomFields(db, event.orgId, event.id));
    const { values, submission } = readAttendeeForm(fields, request.body);
    const participantId = access.session.participantId;
    try {
      await db.transaction().execute((trx) =>
        answerRsvp(trx, app.deps, attendeeActor(request, participantId), { event, participantId, answer, mode: access.mode === 'app' ? 'app' : 'link', submission }),
      );
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, '_form');
      if (!errors) throw error;
      return showPage(app, request, reply, loaded, values, errors, 400);
    }
    return redirect(reply, `/e/${event.id}/rsvp/done?answer=${answer}`);
  });

  app.get('/e/:eventId/rsvp/done', async (request, reply) => {
    const event = await publicEvent(app, request);
    if (!event) return eventMissing(request, reply);
    const accepted = (request.query as Record<string, unknown>)['answer'] === 'accepted';
    return notice(request, reply, { title: accepted ? 'See you there' : 'Thank you for letting us know', event }, (
      <p>{accepted ? `Your registration for ${event.name} is confirmed.` : `We have noted that you will not come to ${event.name}.`} You can change your answer with the same link until replies close.</p>
    ));
  });
}
