import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { createEvent, getEvent, listEvents, updateEvent, type Event } from '../../modules/events/index.js';
import { rsvpCounts, type RsvpCounts } from '../../modules/forms/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { PARTICIPANT_STATUSES, participantCounts, participantCountsByEvent, type ParticipantStatus } from '../../modules/participants/index.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import {
  EVENT_ERROR_PATHS,
  EventBody,
  EventForm,
  blankEventValues,
  eventInputOf,
  eventValuesFromBody,
  eventValuesOf,
  type EventBodyType,
  type EventFormValues,
} from './event-form.js';
import { formatEventDates } from './event-time.js';
import { EventHeader, eventPath, formErrorsOf, paramsOf, refusalStatus, type FormErrors } from './event-ui.js';

type Counts = Record<ParticipantStatus, number>;

function total(counts: Counts | undefined): number {
  return counts ? Object.values(counts).reduce((sum, n) => sum + n, 0) : 0;
}

function EventsPage({ access, events, counts }: { access: OrgAccess; events: Event[]; counts: Map<string, Counts> }) {
  const base = `/admin/o/${access.org.id}/events`;
  return (
    <section>
      <div class="toolbar spread">
        <h1>Events</h1>
        {roleAtLeast(access.role, 'admin') && (
          <a class="button" href={`${base}/new`}>
            New event
          </a>
        )}
      </div>
      {events.length === 0 ? (
        <p class="muted">No events yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Dates (event time)</th>
              <th>Venue</th>
              <th>Status</th>
              <th>Participants</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => {
              const c = counts.get(event.id);
              return (
                <tr>
                  <td>
                    <a href={`${base}/${event.id}`}>{event.name}</a>
                  </td>
                  <td>
                    {formatEventDates(event)} <span class="muted">{event.timeZone}</span>
                  </td>
                  <td>{event.venue ?? ''}</td>
                  <td>
                    <span class="badge">{event.status}</span>
                  </td>
                  <td>
                    {total(c)} <span class="muted">({c?.registered ?? 0} registered)</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Dashboard({ access, event, counts, rsvp }: { access: OrgAccess; event: Event; counts: Counts; rsvp: RsvpCounts }) {
  const base = eventPath(access.org.id, event.id);
  const staff = roleAtLeast(access.role, 'staff');
  return (
    <section>
      <EventHeader access={access} event={event} current="dashboard" />
      <h1>{event.name}</h1>
      <p>
        {formatEventDates(event)} <span class="muted">({event.timeZone})</span>
        {event.venue && <> · {event.venue}</>}
      </p>
      <div class="stats">
        <div class="card stat">
          <b>{total(counts)}</b> participants
        </div>
        {PARTICIPANT_STATUSES.map((status) => (
          <div class="card stat">
            <b>{counts[status]}</b>
            {staff ? <a href={`${base}/participants?status=${status}`}>{status}</a> : status}
          </div>
        ))}
      </div>
      <p data-testid="rsvp-counts">
        RSVP: <b>{rsvp.accepted}</b> accepted · <b>{rsvp.declined}</b> declined · <b>{rsvp.pending}</b> invited, no answer yet
      </p>
      {staff && (
        <ul class="actions">
          <li>
            <a href={`${base}/participants`}>Participants</a>
          </li>
          <li>
            <a href={`${base}/participants/new`}>Add a participant</a>
          </li>
          <li>
            <a href={`${base}/fields`}>Custom fields</a>
          </li>
          <li>
            <a href={`${base}/import`}>Import participants (CSV)</a>
          </li>
          <li>
            <a href={`${base}/participants.csv`}>Export participants (CSV)</a>
          </li>
        </ul>
      )}
    </section>
  );
}

function EventFormPage(props: { access: OrgAccess; event: Event | null; csrf: string; values: EventFormValues; errors: FormErrors }) {
  const { access, event } = props;
  const base = `/admin/o/${access.org.id}/events`;
  return (
    <section>
      {event && <EventHeader access={access} event={event} current="edit" />}
      <h1>{event ? `Edit ${event.name}` : 'New event'}</h1>
      <EventForm
        action={event ? `${base}/${event.id}/edit` : base}
        csrf={props.csrf}
        values={props.values}
        errors={props.errors}
        submit={event ? 'Save' : 'Create event'}
      />
    </section>
  );
}

/** Events: the list and dashboard for every member, creation and editing for admins. */
export async function eventsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;

  function showForm(request: FastifyRequest, reply: FastifyReply, access: OrgAccess, event: Event | null, values: EventFormValues, errors: FormErrors, status = 200) {
    const title = event ? `Edit ${event.name}` : 'New event';
    return renderPage(request, reply, { title, nav: navOf(access), status }, (csrf) => (
      <EventFormPage access={access} event={event} csrf={csrf} values={values} errors={errors} />
    ));
  }

  /** Validates, saves and redirects; any refusal about the input re-renders the form with it. */
  async function save(request: FastifyRequest, reply: FastifyReply, access: OrgAccess, event: Event | null) {
    const values = eventValuesFromBody(request.body as EventBodyType);
    const converted = eventInputOf(values);
    if ('errors' in converted) return showForm(request, reply, access, event, values, converted.errors, 400);
    try {
      const saved = await db.transaction().execute((trx) =>
        event
          ? updateEvent(trx, app.deps, staffActor(request), access.org.id, event.id, converted.input)
          : createEvent(trx, app.deps, staffActor(request), access.org.id, converted.input),
      );
      return redirect(reply, `${eventPath(access.org.id, saved.id)}?done=${event ? 'saved' : 'created'}`);
    } catch (error) {
      const errors = formErrorsOf(error, EVENT_ERROR_PATHS, 'name');
      if (!errors) throw error;
      return showForm(request, reply, access, event, values, errors, refusalStatus(error));
    }
  }

  app.get('/admin/o/:orgId/events', async (request, reply) => {
    const access = await requireOrg(app, request, paramsOf(request)['orgId']!, 'scanner');
    const events = await listEvents(db, access.org.id);
    const counts = await participantCountsByEvent(db, access.org.id, events.map((e) => e.id));
    return renderPage(request, reply, { title: 'Events', nav: navOf(access) }, () => <EventsPage access={access} events={events} counts={counts} />);
  });

  app.get('/admin/o/:orgId/events/new', async (request, reply) => {
    const access = await requireOrg(app, request, paramsOf(request)['orgId']!, 'admin');
    return showForm(request, reply, access, null, blankEventValues(), {});
  });

  app.post('/admin/o/:orgId/events', { schema: { body: EventBody } }, async (request, reply) => {
    const access = await requireOrg(app, request, paramsOf(request)['orgId']!, 'admin');
    return save(request, reply, access, null);
  });

  app.get('/admin/o/:orgId/events/:eventId', async (request, reply) => {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'scanner');
    const event = await getEvent(db, access.org.id, eventId!);
    const counts = await participantCounts(db, access.org.id, event.id);
    const rsvp = await rsvpCounts(db, access.org.id, event.id);
    return renderPage(request, reply, { title: event.name, nav: navOf(access) }, () => <Dashboard access={access} event={event} counts={counts} rsvp={rsvp} />);
  });

  app.get('/admin/o/:orgId/events/:eventId/edit', async (request, reply) => {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'admin');
    const event = await getEvent(db, access.org.id, eventId!);
    return showForm(request, reply, access, event, eventValuesOf(event), {});
  });

  app.post('/admin/o/:orgId/events/:eventId/edit', { schema: { body: EventBody } }, async (request, reply) => {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'admin');
    const event = await getEvent(db, access.org.id, eventId!);
    return save(request, reply, access, event);
  });
}
