import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { listCustomFields } from '../../modules/custom-fields/index.js';
import { getEvent, updateEventAccess, type Event } from '../../modules/events/index.js';
import { createUpdateForm, deleteForm, getForm, listForms, updateForm, type EventForm } from '../../modules/forms/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { EventHeader, eventPath, formErrorsOf, paramsOf, refusalStatus, type FormErrors } from './event-ui.js';
import {
  AccessBody,
  AccessSettings,
  DeleteBody,
  ERROR_PATHS,
  FormBody,
  FormEditor,
  FormsTable,
  accessValuesOf,
  blankFormValues,
  formValuesFromBody,
  formRef,
  formValuesOf,
  zonedOrNull,
  type AccessBodyType,
  type AccessValues,
  type FormBodyType,
  type FormValues,
} from './form-views.js';

interface Page {
  access: OrgAccess;
  event: Event;
}

function publicLink(app: FastifyInstance, path: string): string {
  const base = app.deps.config.publicUrl.href.replace(/\/?$/, '/');
  return new URL(path.slice(1), base).href;
}

function FormsPage(props: Page & { csrf: string; forms: EventForm[]; fields: Awaited<ReturnType<typeof listCustomFields>>; accessValues: AccessValues; errors: FormErrors; links: { home: string; register: string } }) {
  const { access, event } = props;
  const base = `${eventPath(access.org.id, event.id)}/forms`;
  return (
    <section>
      <EventHeader access={access} event={event} current="forms" />
      <div class="toolbar spread">
        <h1>Forms and registration</h1>
        {roleAtLeast(access.role, 'admin') && (
          <a class="button" href={`${base}/new`}>
            New update form
          </a>
        )}
      </div>
      <FormsTable access={access} event={event} forms={props.forms} fields={props.fields} />
      <div class="card">
        <h2>Links</h2>
        <p>
          Public pages, for anyone: event page <code>{props.links.home}</code>, registration page <code>{props.links.register}</code>.
        </p>
        <p>
          Personal links are never shown here: put their merge tag in an email and each recipient gets their own. <code>{'{{ registration_link }}'}</code>{' '}
          lets an imported or invited participant register; <code>{'{{ update_link }}'}</code> opens the first update form (the registration form when
          there is none); <code>{'{{ rsvp_link }}'}</code> lets an invited participant accept or decline. A secure link never fills the form in: only
          an attendee signed in to the event's app sees their data.
        </p>
      </div>
      <AccessSettings access={access} event={event} csrf={props.csrf} values={props.accessValues} errors={props.errors} />
    </section>
  );
}

function DeletePage({ access, event, csrf, form }: Page & { csrf: string; form: EventForm }) {
  const base = `${eventPath(access.org.id, event.id)}/forms`;
  return (
    <section class="narrow">
      <h1>Delete the form “{form.title}”?</h1>
      <p>Links to it already sent by email will open a page saying the form no longer exists. Answers already given stay on the participants.</p>
      <form method="post" action={`${base}/${formRef(form)}/delete`}>
        <CsrfField csrf={csrf} />
        <button type="submit" class="danger">
          Delete form
        </button>{' '}
        <a href={base}>Cancel</a>
      </form>
    </section>
  );
}

/** The event's forms (staff see them, admins change them) and its public access settings. */
export async function formsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId/forms';

  async function load(request: FastifyRequest, minimum: 'staff' | 'admin'): Promise<Page> {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, minimum);
    return { access, event: await getEvent(db, access.org.id, eventId!) };
  }

  async function listPage(request: FastifyRequest, reply: FastifyReply, page: Page, accessValues = accessValuesOf(page.event), errors: FormErrors = {}, status = 200) {
    const forms = await listForms(db, page.access.org.id, page.event.id);
    const fields = await listCustomFields(db, page.access.org.id, page.event.id);
    const links = { home: publicLink(app, `/e/${page.event.id}`), register: publicLink(app, `/e/${page.event.id}/register`) };
    return renderPage(request, reply, { title: `Forms · ${page.event.name}`, nav: navOf(page.access), status }, (csrf) => (
      <FormsPage {...page} csrf={csrf} forms={forms} fields={fields} accessValues={accessValues} errors={errors} links={links} />
    ));
  }

  async function editor(request: FastifyRequest, reply: FastifyReply, page: Page, form: EventForm | null, values: FormValues, errors: FormErrors = {}, status = 200) {
    const fields = await listCustomFields(db, page.access.org.id, page.event.id);
    return renderPage(request, reply, { title: form ? `Edit ${form.title}` : 'New update form', nav: navOf(page.access), status }, (csrf) => (
      <FormEditor {...page} csrf={csrf} form={form} fields={fields} values={values} errors={errors} />
    ));
  }

  /** Saves a new or existing form; refusals about the input show the editor again with it. */
  async function save(request: FastifyRequest, reply: FastifyReply, page: Page, form: EventForm | null) {
    const values = formValuesFromBody(request.body as FormBodyType);
    const errors: FormErrors = {};
    const closesAt = zonedOrNull(values.closesAt, page.event, 'closes_at', errors);
    if (Object.keys(errors).length > 0) return editor(request, reply, page, form, values, errors, 400);
    const input = { title: values.title, intro: values.intro, fieldKeys: values.fieldKeys, allowEmailChange: values.allowEmailChange, closesAt };
    try {
      await db.transaction().execute((trx) =>
        form
          ? updateForm(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, formRef(form), input)
          : createUpdateForm(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, input),
      );
    } catch (error) {
      const refused = formErrorsOf(error, ERROR_PATHS, 'title');
      if (!refused) throw error;
      return editor(request, reply, page, form, values, refused, refusalStatus(error));
    }
    return redirect(reply, `${eventPath(page.access.org.id, page.event.id)}/forms?done=${form ? 'saved' : 'created'}`);
  }

  app.get(base, async (request, reply) => listPage(request, reply, await load(request, 'staff')));

  app.post(`${base}/access`, { schema: { body: AccessBody } }, async (request, reply) => {
    const page = await load(request, 'admin');
    const body = request.body as AccessBodyType;
    const values: AccessValues = { registrationOpen: body.registration_open !== undefined, tellKnownEmails: body.tell_known_emails !== undefined, rsvpClosesAt: body.rsvp_closes_at ?? '' };
    const errors: FormErrors = {};
    const rsvpClosesAt = zonedOrNull(values.rsvpClosesAt, page.event, 'rsvp_closes_at', errors);
    if (Object.keys(errors).length > 0) return listPage(request, reply, page, values, errors, 400);
    await db.transaction().execute((trx) =>
      updateEventAccess(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, { registrationOpen: values.registrationOpen, tellKnownEmails: values.tellKnownEmails, rsvpClosesAt }),
    );
    return redirect(reply, `${eventPath(page.access.org.id, page.event.id)}/forms?done=saved`);
  });

  app.get(`${base}/new`, async (request, reply) => editor(request, reply, await load(request, 'admin'), null, blankFormValues()));

  app.post(`${base}/new`, { schema: { body: FormBody } }, async (request, reply) => save(request, reply, await load(request, 'admin'), null));

  app.get(`${base}/:formId/edit`, async (request, reply) => {
    const page = await load(request, 'admin');
    const form = await getForm(db, page.access.org.id, page.event.id, paramsOf(request)['formId']!);
    return editor(request, reply, page, form, formValuesOf(form, page.event));
  });

  app.post(`${base}/:formId/edit`, { schema: { body: FormBody } }, async (request, reply) => {
    const page = await load(request, 'admin');
    const form = await getForm(db, page.access.org.id, page.event.id, paramsOf(request)['formId']!);
    return save(request, reply, page, form);
  });

  app.get(`${base}/:formId/delete`, async (request, reply) => {
    const page = await load(request, 'admin');
    const form = await getForm(db, page.access.org.id, page.event.id, paramsOf(request)['formId']!);
    return renderPage(request, reply, { title: `Delete ${form.title}`, nav: navOf(page.access) }, (csrf) => <DeletePage {...page} csrf={csrf} form={form} />);
  });

  app.post(`${base}/:formId/delete`, { schema: { body: DeleteBody } }, async (request, reply) => {
    const page = await load(request, 'admin');
    const formId = paramsOf(request)['formId']!;
    await db.transaction().execute((trx) => deleteForm(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, formId));
    return redirect(reply, `${eventPath(page.access.org.id, page.event.id)}/forms?done=deleted`);
  });
}
