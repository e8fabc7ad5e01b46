import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ComponentChildren } from 'preact';
import { attendeeOf, clearAttendeeSession } from '../../http/attendee-session.js';
import type { Actor } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId } from '../../lib/ids.js';
import type { AttendeeSession } from '../../modules/attendee-sessions/index.js';
import { listCustomFields, type CustomField } from '../../modules/custom-fields/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import { getParticipant, updateParticipant, type Participant } from '../../modules/participants/index.js';
import { appOpenTo, previewAllowed } from '../../modules/webapp/index.js';
import { formErrorsOf, type FormErrors } from '../backoffice/event-ui.js';
import { participantValuesOf, readParticipantForm, type ParticipantFormValues } from '../backoffice/participant-form.js';
import { redirect } from '../page.js';
import { AppEdit, AppHome, AppNav, displayName } from './app-views.js';
import { renderAttendeePage, type AttendeePageOptions } from './attendee-page.js';
import { appPath } from './webapp-link.js';
import { meetingFor } from './meetings.routes.js';

/** What every app page works with: the session, its event and its attendee, all checked. */
export interface AppContext {
  session: AttendeeSession;
  event: Event;
  participant: Participant;
  fields: CustomField[];
  base: string;
}

// Only the attendee's own names and the event's fields: the address, the status and anything
// else are not in the schema, so a crafted form cannot reach them.
const AppEditBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    first_name: Type.String({ maxLength: 1000 }),
    last_name: Type.String({ maxLength: 1000 }),
  },
  {
    additionalProperties: false,
    patternProperties: {
      '^cf\\.[a-z][a-z0-9_]{0,39}$': Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 300 })]),
    },
  },
);

/** The event id in the URL; anything that is not an id is a page that does not exist. */
export function eventIdOf(request: FastifyRequest): string {
  const { eventId } = request.params as { eventId: string };
  if (!isId(eventId)) throw new DomainError('not_found', 'Not found');
  return eventId;
}

/**
 * The app session for this event, or null (the caller sends the browser to the sign-in page).
 * Ends, at this request, a session whose attendee is no longer registered, and a staff preview
 * whose staff member signed out, lost the role, or is someone else in this browser now.
 */
export async function appContext(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<AppContext | null> {
  const eventId = eventIdOf(request);
  const session = await attendeeOf(app, request);
  // A secure-form session opens one form, never the app; another event's session stays as it is.
  if (!session || session.eventId !== eventId || session.kind === 'form') return null;
  const { db } = app.deps;
  const preview = session.kind === 'preview';
  if (preview && !(await previewAllowed(db, request.staff?.id, { issuedBy: session.staffId, orgId: session.orgId }))) {
    await clearAttendeeSession(app, request, reply);
    return null;
  }
  const event = await getEvent(db, session.orgId, eventId).catch(() => null);
  const participant = event ? await getParticipant(db, session.orgId, eventId, session.participantId).catch(() => null) : null;
  if (!event || !participant || (!preview && !appOpenTo(participant))) {
    await clearAttendeeSession(app, request, reply);
    return null;
  }
  return { session, event, participant, fields: await listCustomFields(db, session.orgId, eventId), base: appPath(eventId) };
}

export function signInPath(eventId: string): string {
  return `${appPath(eventId)}/sign-in`;
}

/** An app page: the event heads it, the menu is on it, and a preview gets its banner. */
export function renderAppPage(request: FastifyRequest, reply: FastifyReply, c: AppContext, options: Omit<AttendeePageOptions, 'eventName' | 'session' | 'nav'>, body: (csrf: string) => ComponentChildren) {
  const nav = (csrf: string) => <AppNav base={c.base} csrf={csrf} session={c.session} />;
  return renderAttendeePage(request, reply, { ...options, eventName: c.event.name, session: c.session, nav }, body);
}

function attendeeActor(request: FastifyRequest, c: AppContext): Actor {
  return { type: 'attendee', id: c.participant.id, label: displayName(c.participant) || c.participant.email, ip: request.ip };
}

/** The attendee web app: their registration, their details to edit, and sign out. */
export async function appRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/app/:eventId';

  function showEdit(request: FastifyRequest, reply: FastifyReply, c: AppContext, values: ParticipantFormValues, errors: FormErrors, status = 200) {
    return renderAppPage(request, reply, c, { title: 'Edit my details', status }, (csrf) => (
      <AppEdit base={c.base} csrf={csrf} participant={c.participant} fields={c.fields} values={values} errors={errors} readOnly={c.session.kind === 'preview'} />
    ));
  }

  app.get(base, async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    const meeting = await meetingFor(app.deps.db, c.event, c.participant.id, app.deps.clock.now());
    return renderAppPage(request, reply, c, { title: 'My registration' }, () => <AppHome event={c.event} participant={c.participant} fields={c.fields} base={c.base} meeting={meeting} />);
  });

  app.get(`${base}/edit`, async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    return showEdit(request, reply, c, participantValuesOf(c.participant), {});
  });

  app.post(`${base}/edit`, { schema: { body: AppEditBody } }, async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    const body = request.body as Record<string, unknown>;
    // The address and status are the stored ones: this form changes neither.
    const { values, input } = readParticipantForm(c.fields, { ...body, email: c.participant.email, status: c.participant.status });
    if (c.session.kind === 'preview') {
      return showEdit(request, reply, c, values, { _form: 'A staff preview is read-only: nothing was saved.' }, 403);
    }
    try {
      await db.transaction().execute((trx) =>
        updateParticipant(trx, app.deps, attendeeActor(request, c), c.session.orgId, c.event.id, c.participant.id, { ...input, email: c.participant.email, status: undefined }),
      );
    } catch (error) {
      const errors = formErrorsOf(error, {}, '_form');
      if (!errors) throw error;
      return showEdit(request, reply, c, values, errors, 400);
    }
    return redirect(reply, c.base);
  });

  app.post(`${base}/sign-out`, async (request, reply) => {
    const session = await attendeeOf(app, request);
    await clearAttendeeSession(app, request, reply);
    // The staff member ending a preview goes back to the attendee in the back-office.
    if (session?.kind === 'preview') {
      return redirect(reply, `/admin/o/${session.orgId}/events/${session.eventId}/participants/${session.participantId}`);
    }
    return redirect(reply, `${signInPath(eventIdOf(request))}?out=1`);
  });
}
