import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listCustomFields } from '../../modules/custom-fields/index.js';
import type { Event } from '../../modules/events/index.js';
import { fieldsOfForm, findFormForSlug, REGISTRATION_SLUG, registerFromPublicPage, registrationRefusal, type EventForm } from '../../modules/forms/index.js';
import { formErrorsOf, type FormErrors } from '../backoffice/event-ui.js';
import { redirect } from '../page.js';
import { renderAttendeePage } from './attendee-page.js';
import { AttendeeForm, AttendeeFormBody, blankValues, readAttendeeForm, type AttendeeFormValues } from './attendee-form.js';
import './form-links.js';
import { formPagesRoutes } from './form-pages.routes.js';
import { rsvpRoutes } from './rsvp.routes.js';
import { attendeeActor, EventSummary, eventMissing, notice, publicEvent } from './site-ui.js';

// Per IP. The counter is not echoed in headers: the answer to a known address must be byte for
// byte the answer to a new one, and nothing in it should vary with what was sent before.
const REGISTER_LIMIT = {
  max: 20,
  timeWindow: '1 minute',
  addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
} as const;

// The form's own names for the domain's detail paths.
const PATHS = { firstName: 'first_name', lastName: 'last_name' };

function registrationForm(app: FastifyInstance, event: Event): Promise<EventForm> {
  return findFormForSlug(app.deps.db, event.orgId, event.id, REGISTRATION_SLUG) as Promise<EventForm>;
}

function closedPage(request: FastifyRequest, reply: FastifyReply, event: Event, reason: string, status = 200): FastifyReply {
  return notice(request, reply, { title: 'Registration closed', event, status }, (
    <>
      <p>{reason}</p>
      <p>If you were invited, the email you received has a personal link that still lets you answer.</p>
    </>
  ));
}

async function showForm(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, event: Event, form: EventForm, values: AttendeeFormValues, errors: FormErrors, status = 200) {
  const fields = fieldsOfForm(form, await listCustomFields(app.deps.db, event.orgId, event.id));
  return renderAttendeePage(request, reply, { title: form.title, eventName: event.name, status }, (csrf) => (
    <section>
      <h1>{form.title}</h1>
      <EventSummary event={event} />
      {form.intro && <p>{form.intro}</p>}
      <AttendeeForm action={`/e/${event.id}/register`} csrf={csrf} fields={fields} values={values} errors={errors} withNames withEmail emailChange={false} submit="Register" />
    </section>
  ));
}

/**
 * The public event site: generic pages anyone may be sent to (no token, nothing personal).
 * The registration page answers a new address and one already on the event identically unless
 * the organiser chose otherwise, so it cannot be used to find out who is registered.
 */
export async function eventSiteRoutes(app: FastifyInstance): Promise<void> {
  app.get('/e/:eventId', async (request, reply) => {
    const event = await publicEvent(app, request);
    if (!event) return eventMissing(request, reply);
    const refusal = registrationRefusal(event, await registrationForm(app, event), app.deps.clock.now());
    return renderAttendeePage(request, reply, { title: event.name, eventName: event.name }, () => (
      <section class="narrow">
        <h1>{event.name}</h1>
        <EventSummary event={event} />
        {refusal ? (
          <p>{refusal}</p>
        ) : (
          <p>
            <a class="button" href={`/e/${event.id}/register`} data-testid="register">
              Register
            </a>
          </p>
        )}
      </section>
    ));
  });

  app.get('/e/:eventId/register', async (request, reply) => {
    const event = await publicEvent(app, request);
    if (!event) return eventMissing(request, reply);
    const form = await registrationForm(app, event);
    const refusal = registrationRefusal(event, form, app.deps.clock.now());
    if (refusal) return closedPage(request, reply, event, refusal);
    return showForm(app, request, reply, event, form, blankValues(), {});
  });

  app.post('/e/:eventId/register', { schema: { body: AttendeeFormBody }, config: { rateLimit: REGISTER_LIMIT } }, async (request, reply) => {
    const event = await publicEvent(app, request);
    if (!event) return eventMissing(request, reply);
    const form = await registrationForm(app, event);
    const refusal = registrationRefusal(event, form, app.deps.clock.now());
    if (refusal) return closedPage(request, reply, event, refusal, 403);
    const fields = fieldsOfForm(form, await listCustomFields(app.deps.db, event.orgId, event.id));
    const { values, submission } = readAttendeeForm(fields, request.body);
    let known: boolean;
    try {
      ({ known } = await app.deps.db.transaction().execute((trx) => registerFromPublicPage(trx, app.deps, attendeeActor(request, null), event, submission)));
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, 'email');
      if (!errors) throw error;
      return showForm(app, request, reply, event, form, values, errors, 400);
    }
    if (known && event.tellKnownEmails) {
      return notice(request, reply, { title: 'Already registered', event }, (
        <p>This email address is already registered for {event.name}. We have emailed it a personal link to complete or update the registration.</p>
      ));
    }
    // The same answer for a new address and a known one: only the owner's inbox tells them apart.
    return redirect(reply, `/e/${event.id}/register/thanks`);
  });

  app.get('/e/:eventId/register/thanks', async (request, reply) => {
    const event = await publicEvent(app, request);
    if (!event) return eventMissing(request, reply);
    return notice(request, reply, { title: 'Check your inbox', event }, (
      <p>Thank you. We have sent an email about your registration for {event.name} to the address you entered. It can take a few minutes to arrive.</p>
    ));
  });

  await app.register(formPagesRoutes);
  await app.register(rsvpRoutes);
}
