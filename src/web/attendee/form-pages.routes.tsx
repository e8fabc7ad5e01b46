import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listCustomFields } from '../../modules/custom-fields/index.js';
import type { Event } from '../../modules/events/index.js';
import { fieldsOfForm, findFormForSlug, isFormClosed, REGISTRATION_SLUG, submitForm, type EventForm } from '../../modules/forms/index.js';
import { getParticipant } from '../../modules/participants/index.js';
import { formErrorsOf, type FormErrors } from '../backoffice/event-ui.js';
import { redirect } from '../page.js';
import { renderAttendeePage } from './attendee-page.js';
import { AttendeeForm, AttendeeFormBody, blankValues, readAttendeeForm, valuesOfParticipant, type AttendeeFormValues } from './attendee-form.js';
import { accessFor, attendeeActor, closingTime, EventSummary, eventMissing, notice, publicEvent, type Access } from './site-ui.js';

const PATHS = { firstName: 'first_name', lastName: 'last_name' };

function slugParam(request: FastifyRequest): string {
  const { slug } = request.params as { slug?: string };
  return typeof slug === 'string' ? slug.slice(0, 80) : '';
}

interface Loaded {
  event: Event;
  form: EventForm;
  access: Access | null;
}

/** The event, the form and what the visitor's session allows, or the page that says what is wrong. */
async function load(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<Loaded | FastifyReply> {
  const event = await publicEvent(app, request);
  if (!event) return eventMissing(request, reply);
  const form = await findFormForSlug(app.deps.db, event.orgId, event.id, slugParam(request));
  if (!form) return notice(request, reply, { title: 'Form not found', event, status: 404 }, <p>This form does not exist or was removed by the organiser.</p>);
  const access = await accessFor(app, request, event, { form: form.slug });
  if (access && isFormClosed(form, app.deps.clock.now())) {
    return notice(request, reply, { title: `${form.title} is closed`, event, status: 403, session: access.session }, (
      <p>
        This form closed on {closingTime(form.closesAt!, event)}. Contact the organiser of {event.name} if something still needs to change.
      </p>
    ));
  }
  return { event, form, access };
}

/** No session for this form: the registration form has its public page; other forms need the link. */
function noAccess(request: FastifyRequest, reply: FastifyReply, event: Event, form: EventForm): FastifyReply {
  if (form.slug === REGISTRATION_SLUG) return redirect(reply, `/e/${event.id}/register`);
  return notice(request, reply, { title: form.title, event, status: 403 }, (
    <p>
      This form is personal. Open it with the link in the email you received about {event.name}, or{' '}
      <a href={`/app/${event.id}/sign-in`}>sign in to the event's app</a> first.
    </p>
  ));
}

async function showForm(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, loaded: Loaded & { access: Access }, values: AttendeeFormValues, errors: FormErrors, status = 200) {
  const { event, form, access } = loaded;
  const fields = fieldsOfForm(form, await listCustomFields(app.deps.db, event.orgId, event.id));
  const readOnly = access.mode === 'preview';
  return renderAttendeePage(request, reply, { title: form.title, eventName: event.name, session: access.session, status }, (csrf) => (
    <section>
      <h1>{form.title}</h1>
      <EventSummary event={event} />
      {form.intro && <p>{form.intro}</p>}
      {access.mode === 'link' && <p class="muted">For your privacy nothing is filled in. Fields you leave empty keep what we already have.</p>}
      {form.closesAt && <p class="muted">Open until {closingTime(form.closesAt, event)}.</p>}
      <AttendeeForm
        action={`/e/${event.id}/forms/${form.slug}`}
        csrf={csrf}
        fields={fields}
        values={values}
        errors={errors}
        withNames={form.kind === 'registration'}
        withEmail={false}
        emailChange={form.allowEmailChange && !readOnly}
        submit={form.kind === 'registration' ? 'Register' : 'Save'}
        readOnly={readOnly}
        keepsStored={access.mode === 'link'}
      >
        {access.mode === 'app' && <p class="muted">Signed in as {values.email}.</p>}
        {readOnly && <p class="muted">Staff preview: the form is shown as the attendee sees it and cannot be sent.</p>}
      </AttendeeForm>
    </section>
  ));
}

/**
 * Form pages of the event site. A secure link opens one form for one participant without
 * signing in, and never shows their data (a forwarded email shows nobody's); the web app's
 * session opens every form, prefilled. Whoever submits, the data goes into the session's
 * participant: nothing in the body can name someone else.
 */
export async function formPagesRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;

  app.get('/e/:eventId/forms/:slug', async (request, reply) => {
    const loaded = await load(app, request, reply);
    if (!('form' in loaded)) return loaded;
    const { access } = loaded;
    if (!access) return noAccess(request, reply, loaded.event, loaded.form);
    // Prefilled only for the person signed in to the app: the link alone never shows data.
    const values = access.mode === 'link' ? blankValues() : valuesOfParticipant(await getParticipant(db, loaded.event.orgId, loaded.event.id, access.session.participantId));
    return showForm(app, request, reply, { ...loaded, access }, values, {});
  });

  app.post('/e/:eventId/forms/:slug', { schema: { body: AttendeeFormBody }, config: { rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const loaded = await load(app, request, reply);
    if (!('form' in loaded)) return loaded;
    const { event, form, access } = loaded;
    if (!access) return noAccess(request, reply, event, form);
    if (access.mode === 'preview') return notice(request, reply, { title: 'Staff preview', event, status: 403, session: access.session }, <p>A staff preview cannot send forms.</p>);
    const fields = fieldsOfForm(form, await listCustomFields(db, event.orgId, event.id));
    const { values, submission } = readAttendeeForm(fields, request.body);
    const participantId = access.session.participantId;
    let emailChange: boolean;
    try {
      const result = await db.transaction().execute((trx) =>
        submitForm(trx, app.deps, attendeeActor(request, participantId), { event, form, participantId, mode: access.mode === 'app' ? 'app' : 'link', submission }),
      );
      emailChange = result.emailChangeRequested;
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, '_form');
      if (!errors) throw error;
      if (access.mode === 'app') values.email = (await getParticipant(db, event.orgId, event.id, participantId)).email;
      return showForm(app, request, reply, { ...loaded, access }, values, errors, 400);
    }
    return redirect(reply, `/e/${event.id}/forms/${form.slug}/done${emailChange ? '?email=1' : ''}`);
  });

  app.get('/e/:eventId/forms/:slug/done', async (request, reply) => {
    const event = await publicEvent(app, request);
    if (!event) return eventMissing(request, reply);
    const emailChange = (request.query as Record<string, unknown>)['email'] === '1';
    return notice(request, reply, { title: 'Thank you', event }, (
      <>
        <p>Your answers for {event.name} are saved.</p>
        {emailChange && (
          <p data-testid="email-change-pending">
            We have sent a link to the new email address. Your address changes only once you open that link and confirm; until then we keep using the current one.
          </p>
        )}
      </>
    ));
  });

  app.get('/e/:eventId/email-change/done', async (request, reply) => {
    const event = await publicEvent(app, request);
    if (!event) return eventMissing(request, reply);
    return notice(request, reply, { title: 'Email address changed', event }, (
      <p>Emails about {event.name} now go to your new address. We told the previous address about the change, and signed you out everywhere else.</p>
    ));
  });

  app.get('/e/:eventId/email-change/refused', async (request, reply) => {
    const event = await publicEvent(app, request);
    if (!event) return eventMissing(request, reply);
    return notice(request, reply, { title: 'Email address not changed', event, status: 409 }, (
      <p>This address cannot be used for your registration to {event.name}. Your previous address is still the one we use; contact the organiser if you need help.</p>
    ));
  });
}
