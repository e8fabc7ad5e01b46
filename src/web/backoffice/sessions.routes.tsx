import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { createSession, deleteSession, getSession, listSessions, updateSession, type EventSession } from '../../modules/checkin/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { DomainError } from '../../lib/errors.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { PostButton, navOf } from './components.js';
import { ErrorSummary, EventHeader, FieldError, eventPath, formErrorsOf, paramsOf, refusalStatus, type FormErrors } from './event-ui.js';
import { formatInZone, utcToZonedInput, zonedToUtc } from './event-time.js';

const SessionBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    title: Type.String({ maxLength: 1000 }),
    room: Type.String({ maxLength: 1000 }),
    starts_at: Type.String({ maxLength: 40 }),
    ends_at: Type.String({ maxLength: 40 }),
  },
  { additionalProperties: false },
);

interface Values {
  title: string;
  room: string;
  starts_at: string;
  ends_at: string;
}

const PATHS = { startsAt: 'starts_at', endsAt: 'ends_at' };

function SessionInputs({ values, errors }: { values: Values; errors: FormErrors }) {
  return (
    <div class="grid2">
      <label>
        Title
        <input name="title" value={values.title} required maxLength={200} />
        <FieldError errors={errors} name="title" />
      </label>
      <label>
        Room <span class="muted">(optional)</span>
        <input name="room" value={values.room} maxLength={200} />
        <FieldError errors={errors} name="room" />
      </label>
      <label>
        Starts
        <input name="starts_at" type="datetime-local" value={values.starts_at} required />
        <FieldError errors={errors} name="starts_at" />
      </label>
      <label>
        Ends
        <input name="ends_at" type="datetime-local" value={values.ends_at} required />
        <FieldError errors={errors} name="ends_at" />
      </label>
    </div>
  );
}

interface PageProps {
  access: OrgAccess;
  event: Event;
  csrf: string;
}

function SessionsPage({ access, event, csrf, sessions, values, errors }: PageProps & { sessions: EventSession[]; values: Values; errors: FormErrors }) {
  const base = `${eventPath(access.org.id, event.id)}/sessions`;
  const admin = roleAtLeast(access.role, 'admin');
  return (
    <section>
      <EventHeader access={access} event={event} current="check-in" />
      <h1>Sessions</h1>
      <p class="muted">The agenda's sessions. Each one's door can be a check-in point of its own, besides the event's entrance.</p>
      {sessions.length === 0 ? (
        <p class="muted">No sessions yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Starts</th>
              <th>Ends</th>
              <th>Title</th>
              <th>Room</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr>
                <td>{formatInZone(s.startsAt, event.timeZone)}</td>
                <td>{formatInZone(s.endsAt, event.timeZone)}</td>
                <td>{s.title}</td>
                <td>{s.room ?? '—'}</td>
                <td>
                  <a href={`${eventPath(access.org.id, event.id)}/scan?session=${s.id}`}>Scan at its door</a>
                  {admin && (
                    <>
                      {' · '}
                      <a href={`${base}/${s.id}/edit`}>Edit</a> <PostButton action={`${base}/${s.id}/delete`} csrf={csrf} label="Delete" />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {admin && (
        <form method="post" action={base} class="card">
          <h2>Add a session</h2>
          <p class="muted">Times in the event's time zone ({event.timeZone}).</p>
          <ErrorSummary errors={errors} />
          <CsrfField csrf={csrf} />
          <SessionInputs values={values} errors={errors} />
          <button type="submit">Add session</button>
        </form>
      )}
    </section>
  );
}

function EditPage({ access, event, csrf, session, values, errors }: PageProps & { session: EventSession; values: Values; errors: FormErrors }) {
  const base = `${eventPath(access.org.id, event.id)}/sessions`;
  return (
    <section>
      <EventHeader access={access} event={event} current="check-in" />
      <h1>Edit “{session.title}”</h1>
      <form method="post" action={`${base}/${session.id}/edit`} class="card">
        <ErrorSummary errors={errors} />
        <CsrfField csrf={csrf} />
        <SessionInputs values={values} errors={errors} />
        <button type="submit">Save</button> <a href={base}>Cancel</a>
      </form>
    </section>
  );
}

function valuesOf(session: EventSession, timeZone: string): Values {
  return { title: session.title, room: session.room ?? '', starts_at: utcToZonedInput(session.startsAt, timeZone), ends_at: utcToZonedInput(session.endsAt, timeZone) };
}

/** Form times are wall-clock times in the event's zone; a value that is not one stays as typed and is refused. */
function inputOf(body: Values, timeZone: string) {
  return {
    title: body.title,
    room: body.room,
    startsAt: zonedToUtc(body.starts_at, timeZone) ?? body.starts_at,
    endsAt: zonedToUtc(body.ends_at, timeZone) ?? body.ends_at,
  };
}

const BLANK: Values = { title: '', room: '', starts_at: '', ends_at: '' };

/** The event's agenda: staff see it, admins change it. */
export async function sessionsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId/sessions';

  async function load(request: FastifyRequest, minimum: 'staff' | 'admin') {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, minimum);
    return { access, event: await getEvent(db, access.org.id, eventId!) };
  }

  async function listPage(request: FastifyRequest, reply: FastifyReply, page: { access: OrgAccess; event: Event }, values = BLANK, errors: FormErrors = {}, status = 200) {
    const sessions = await listSessions(db, page.access.org.id, page.event.id);
    return renderPage(request, reply, { title: `Sessions · ${page.event.name}`, nav: navOf(page.access), status }, (csrf) => (
      <SessionsPage {...page} csrf={csrf} sessions={sessions} values={values} errors={errors} />
    ));
  }

  const listUrl = (page: { access: OrgAccess; event: Event }, done: string) => `${eventPath(page.access.org.id, page.event.id)}/sessions?done=${done}`;

  app.get(base, async (request, reply) => listPage(request, reply, await load(request, 'staff')));

  app.post(base, { schema: { body: SessionBody } }, async (request, reply) => {
    const page = await load(request, 'admin');
    const body = request.body as Static<typeof SessionBody>;
    try {
      await db.transaction().execute((trx) => createSession(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, inputOf(body, page.event.timeZone)));
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, 'title');
      if (!errors) throw error;
      return listPage(request, reply, page, body, errors, refusalStatus(error));
    }
    return redirect(reply, listUrl(page, 'created'));
  });

  app.get(`${base}/:sessionId/edit`, async (request, reply) => {
    const page = await load(request, 'admin');
    const session = await getSession(db, page.access.org.id, page.event.id, paramsOf(request)['sessionId']!);
    return renderPage(request, reply, { title: `Edit ${session.title}`, nav: navOf(page.access) }, (csrf) => (
      <EditPage {...page} csrf={csrf} session={session} values={valuesOf(session, page.event.timeZone)} errors={{}} />
    ));
  });

  app.post(`${base}/:sessionId/edit`, { schema: { body: SessionBody } }, async (request, reply) => {
    const page = await load(request, 'admin');
    const session = await getSession(db, page.access.org.id, page.event.id, paramsOf(request)['sessionId']!);
    const body = request.body as Static<typeof SessionBody>;
    try {
      await db.transaction().execute((trx) => updateSession(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, session.id, inputOf(body, page.event.timeZone)));
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, 'title');
      if (!errors) throw error;
      return renderPage(request, reply, { title: `Edit ${session.title}`, nav: navOf(page.access), status: refusalStatus(error) }, (csrf) => (
        <EditPage {...page} csrf={csrf} session={session} values={body} errors={errors} />
      ));
    }
    return redirect(reply, listUrl(page, 'saved'));
  });

  app.post(`${base}/:sessionId/delete`, { schema: { body: Type.Object({ _csrf: Type.String({ maxLength: 200 }) }, { additionalProperties: false }) } }, async (request, reply) => {
    const page = await load(request, 'admin');
    try {
      await db.transaction().execute((trx) => deleteSession(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, paramsOf(request)['sessionId']!));
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'session_in_use') throw error;
      return listPage(request, reply, page, BLANK, { _form: error.message }, 409);
    }
    return redirect(reply, listUrl(page, 'deleted'));
  });
}
