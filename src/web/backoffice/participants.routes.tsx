import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { listAuditEntries } from '../../modules/audit/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { listCustomFields, type CustomField } from '../../modules/custom-fields/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import { createParticipant, getParticipant, listParticipants, updateParticipant, type Participant } from '../../modules/participants/index.js';
import { listParticipantLinks } from '../../modules/personal-links/index.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { EventHeader, eventPath, formErrorsOf, paramsOf, refusalStatus, type FormErrors } from './event-ui.js';
import { ParticipantBody, ParticipantForm, blankParticipantValues, participantValuesOf, readParticipantForm, type ParticipantFormValues } from './participant-form.js';
import { ListQuery, ParticipantList, listHref, listStateOf, participantQueryOf } from './participant-list.js';
import { HISTORY_LIMIT, ParticipantView, importedEntry, participantName } from './participant-page.js';
import { PersonalLinks } from './participant-links.js';
import { PreviewButton } from './preview.routes.js';
import { badgeButtonFor } from './badges.routes.js';
import { QrCodeButton } from './qr-code.routes.js';
import { loadAccessCodePanel } from './access-codes.routes.js';
import { ContactWidget } from './contact-widgets.js';
import { getContact } from '../../modules/contacts/index.js';

interface EventPage {
  access: OrgAccess;
  event: Event;
  fields: CustomField[];
  /** `/admin/o/:orgId/events/:eventId/participants` */
  base: string;
}

function FormPage(props: { page: EventPage; participant: Participant | null; csrf: string; values: ParticipantFormValues; errors: FormErrors }) {
  const { page, participant } = props;
  const title = participant ? `Edit ${participantName(participant)}` : 'Add a participant';
  return (
    <section>
      <EventHeader access={page.access} event={page.event} current="participants" />
      <h1>{title}</h1>
      <ParticipantForm
        action={participant ? `${page.base}/${participant.id}/edit` : page.base}
        csrf={props.csrf}
        fields={page.fields}
        values={props.values}
        errors={props.errors}
        submit={participant ? 'Save' : 'Add participant'}
        cancel={participant ? `${page.base}/${participant.id}` : page.base}
      />
    </section>
  );
}

/** Participants of an event: list, page, add and edit, for staff and up (scanners only check in). */
export async function participantsRoutes(app: FastifyInstance): Promise<void> {
  const { db, dialect } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId/participants';

  async function load(request: FastifyRequest): Promise<EventPage> {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'staff');
    const event = await getEvent(db, access.org.id, eventId!);
    const fields = await listCustomFields(db, access.org.id, event.id);
    return { access, event, fields, base: `${eventPath(access.org.id, event.id)}/participants` };
  }

  async function loadParticipant(request: FastifyRequest, page: EventPage): Promise<Participant> {
    return getParticipant(db, page.access.org.id, page.event.id, paramsOf(request)['participantId']!);
  }

  function showForm(request: FastifyRequest, reply: FastifyReply, page: EventPage, participant: Participant | null, values: ParticipantFormValues, errors: FormErrors, status = 200) {
    const title = participant ? `Edit ${participantName(participant)}` : 'Add a participant';
    return renderPage(request, reply, { title, nav: navOf(page.access), status }, (csrf) => (
      <FormPage page={page} participant={participant} csrf={csrf} values={values} errors={errors} />
    ));
  }

  /** Writes through the domain; a refusal about the input shows the form again with what was typed. */
  async function save(request: FastifyRequest, reply: FastifyReply, page: EventPage, participant: Participant | null) {
    const { values, input } = readParticipantForm(page.fields, request.body);
    const { org } = page.access;
    try {
      const saved = await db.transaction().execute((trx) =>
        participant
          ? updateParticipant(trx, app.deps, staffActor(request), org.id, page.event.id, participant.id, input)
          : createParticipant(trx, app.deps, staffActor(request), org.id, page.event.id, input),
      );
      return redirect(reply, `${page.base}/${saved.id}?done=${participant ? 'saved' : 'created'}`);
    } catch (error) {
      const errors = formErrorsOf(error, {}, 'email');
      if (!errors) throw error;
      return showForm(request, reply, page, participant, values, errors, refusalStatus(error));
    }
  }

  app.get(base, { schema: { querystring: ListQuery } }, async (request, reply) => {
    const page = await load(request);
    const { cursor, ...state } = listStateOf(request.query);
    const result = await listParticipants(db, dialect, page.access.org.id, page.event.id, participantQueryOf(state, cursor, page.fields));
    const csv = `${eventPath(page.access.org.id, page.event.id)}/participants.csv`;
    return renderPage(request, reply, { title: `Participants · ${page.event.name}`, nav: navOf(page.access) }, () => (
      <section>
        <EventHeader access={page.access} event={page.event} current="participants" />
        <div class="toolbar spread">
          <h1>Participants</h1>
          <span>
            <a class="button" href={`${page.base}/new`}>
              Add a participant
            </a>{' '}
            <a class="button secondary" href={listHref(csv, state)}>
              Export CSV
            </a>{' '}
            <a class="button secondary" href={listHref(`${eventPath(page.access.org.id, page.event.id)}/badges`, state)}>
              Print badges
            </a>{' '}
            {roleAtLeast(page.access.role, 'admin') && (
              // The campaign form reads the same query string, so it starts with this list's filter.
              <a class="button secondary" href={listHref(`${eventPath(page.access.org.id, page.event.id)}/campaigns/new`, state)}>
                Email these participants
              </a>
            )}{' '}
            {roleAtLeast(page.access.role, 'admin') && (
              <a class="button secondary" href={listHref(`${page.base}/resend-credentials`, state)}>
                Resend credentials
              </a>
            )}
          </span>
        </div>
        <ParticipantList event={page.event} path={page.base} state={state} cursor={cursor} fields={page.fields} page={result} />
      </section>
    ));
  });

  app.get(`${base}/new`, async (request, reply) => {
    const page = await load(request);
    return showForm(request, reply, page, null, blankParticipantValues(), {});
  });

  app.post(base, { schema: { body: ParticipantBody } }, async (request, reply) => {
    const page = await load(request);
    return save(request, reply, page, null);
  });

  app.get(`${base}/:participantId`, async (request, reply) => {
    const page = await load(request);
    const participant = await loadParticipant(request, page);
    const history = await listAuditEntries(db, { orgId: page.access.org.id, targetType: 'participant', targetId: participant.id, limit: HISTORY_LIMIT });
    // A CSV import is audited once (import.completed), not per row: its participants' history
    // starts with the import, shown from their creation time.
    if (history.length < HISTORY_LIMIT && !history.some((entry) => entry.action === 'participant.created')) {
      history.push(importedEntry(participant, page.access.org.id));
    }
    const links = await listParticipantLinks(db, app.deps, page.access.org.id, page.event.id, participant.id);
    const revokeBase = roleAtLeast(page.access.role, 'admin') ? `${page.base}/${participant.id}/links` : null;
    const badgeButton = await badgeButtonFor(app, page.access, page.event, participant);
    const accessCode = await loadAccessCodePanel(app, page.access, page.event, participant);
    const contact = await getContact(db, page.access.org.id, participant.contactId).catch(() => null);
    return renderPage(request, reply, { title: participantName(participant), nav: navOf(page.access) }, (csrf) => (
      <>
        <EventHeader access={page.access} event={page.event} current="participants" />
        <ParticipantView
          orgId={page.access.org.id}
          event={page.event}
          participant={participant}
          fields={page.fields}
          history={history}
          editHref={`${page.base}/${participant.id}/edit`}
          actions={
            <>
              <PreviewButton orgId={page.access.org.id} eventId={page.event.id} participantId={participant.id} csrf={csrf} />{' '}
              {badgeButton}
              {' '}
              <QrCodeButton orgId={page.access.org.id} eventId={page.event.id} participantId={participant.id} role={page.access.role} />
            </>
          }
          links={<PersonalLinks links={links} timeZone={page.event.timeZone} revokeBase={revokeBase} csrf={csrf} />}
          accessCode={accessCode(csrf)}
          contact={contact && <ContactWidget orgId={page.access.org.id} contact={contact} />}
        />
      </>
    ));
  });

  app.get(`${base}/:participantId/edit`, async (request, reply) => {
    const page = await load(request);
    const participant = await loadParticipant(request, page);
    return showForm(request, reply, page, participant, participantValuesOf(participant), {});
  });

  app.post(`${base}/:participantId/edit`, { schema: { body: ParticipantBody } }, async (request, reply) => {
    const page = await load(request);
    const participant = await loadParticipant(request, page);
    return save(request, reply, page, participant);
  });
}
