import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ContactKind } from '../../db/database.js';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import {
  changeEmailAsOperator,
  connectContacts,
  CONTACT_KINDS,
  contactDetail,
  createContactByOperator,
  disconnectContacts,
  listContactBook,
  listStructures,
  liveContact,
  mailContextFor,
  markValidatedByOperator,
  mergeContacts,
  planBulkValidation,
  sendBulkValidation,
  sendValidationEmail,
  type ContactFilter,
} from '../../modules/contact-admin/index.js';
import { findAccountByEmail, getContact } from '../../modules/contacts/index.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { BulkConfirmPage, ContactListPage, ContactView, MergeConfirmPage, MergedContactPage, NewContactPage, type MailContexts } from './contact-views.js';
import { contactName } from './contact-widgets.js';
import { formErrorsOf, type FormErrors } from './event-ui.js';

const Csrf = Type.String({ maxLength: 200 });
const Id = Type.String({ maxLength: 100 });
const Choice = { template_id: Id, pos_id: Id };
const ListQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 200 })), kind: Type.Optional(Type.String({ maxLength: 20 })), status: Type.Optional(Type.String({ maxLength: 20 })), before: Type.Optional(Id), sent: Type.Optional(Type.String({ maxLength: 10 })) },
  { additionalProperties: false },
);
const BulkFields = { q: Type.String({ maxLength: 200 }), kind: Type.String({ maxLength: 20 }), ...Choice };
const BulkQuery = Type.Object(BulkFields, { additionalProperties: false });
const BulkBody = Type.Object({ _csrf: Csrf, ...BulkFields }, { additionalProperties: false });
const NewBody = Type.Object(
  {
    _csrf: Csrf,
    kind: Type.Union(CONTACT_KINDS.map((k) => Type.Literal(k))),
    first_name: Type.Optional(Type.String({ maxLength: 1000 })),
    last_name: Type.String({ maxLength: 1000 }),
    email: Type.String({ maxLength: 1000 }),
    structure_id: Type.Optional(Id),
    ...Choice,
  },
  { additionalProperties: false },
);
const ChoiceBody = Type.Object({ _csrf: Csrf, ...Choice }, { additionalProperties: false });
const EmailBody = Type.Object({ _csrf: Csrf, email: Type.String({ maxLength: 1000 }), ...Choice }, { additionalProperties: false });
const ConnectBody = Type.Object({ _csrf: Csrf, email: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
const CsrfBody = Type.Object({ _csrf: Csrf }, { additionalProperties: false });
const MergeBody = Type.Object({ _csrf: Csrf, child_id: Id, email_from: Type.Union([Type.Literal('parent'), Type.Literal('child')]) }, { additionalProperties: false });

const PATHS = { posId: 'pos_id', templateId: 'template_id', structureId: 'structure_id', lastName: 'last_name', email: 'email', connectedId: 'connect', childId: '_form' };

function filterOf(query: Record<string, string | undefined>): ContactFilter {
  const kind = CONTACT_KINDS.find((k) => k === query['kind']);
  const status = query['status'] === 'verified' || query['status'] === 'unverified' ? query['status'] : undefined;
  return { search: query['q'] || undefined, kind, status, before: query['before'] || undefined };
}

/** The back-office contact book: list, creation, contact page, friends & family, merges. */
export async function contactsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/admin/o/:orgId/contacts';
  const params = (request: FastifyRequest) => request.params as { orgId: string; contactId: string; otherId: string };
  const staff = (request: FastifyRequest) => requireOrg(app, request, params(request).orgId, 'staff');
  const admin = (request: FastifyRequest) => requireOrg(app, request, params(request).orgId, 'admin');
  const home = (access: OrgAccess) => `/admin/o/${access.org.id}/contacts`;

  async function contexts(orgId: string): Promise<MailContexts> {
    const [individual, structure, relay] = await Promise.all(CONTACT_KINDS.map((k) => mailContextFor(db, orgId, k)));
    return { individual: individual!, structure: structure!, relay: relay! };
  }

  app.get(base, { schema: { querystring: ListQuery } }, async (request, reply) => {
    const access = await staff(request);
    const query = request.query as Record<string, string | undefined>;
    const filter = filterOf(query);
    const page = await listContactBook(db, access.org.id, filter);
    // The bulk form serves every kind the filter shows: its points of sale are the widest list.
    const bulkContext = filter.status === 'unverified' ? await mailContextFor(db, access.org.id, filter.kind ?? 'structure') : null;
    const sent = query['sent'] && /^\d+$/.test(query['sent']) ? query['sent'] : null;
    return renderPage(request, reply, { title: 'Contacts', nav: navOf(access) }, () => <ContactListPage access={access} page={page} filter={filter} bulkContext={bulkContext} sent={sent} />);
  });

  const bulkFilter = (values: { q: string; kind: string }) => {
    const { search, kind } = filterOf(values);
    return { search, kind };
  };

  app.get(`${base}/validation-emails`, { schema: { querystring: BulkQuery } }, async (request, reply) => {
    const access = await staff(request);
    const values = request.query as { q: string; kind: string; template_id: string; pos_id: string };
    const plan = await planBulkValidation(db, access.org.id, bulkFilter(values), { templateId: values.template_id, posId: values.pos_id });
    return renderPage(request, reply, { title: 'Send validation emails', nav: navOf(access) }, (csrf) => <BulkConfirmPage access={access} plan={plan} values={values} csrf={csrf} />);
  });

  app.post(`${base}/validation-emails`, { schema: { body: BulkBody } }, async (request, reply) => {
    const access = await staff(request);
    const values = request.body as { q: string; kind: string; template_id: string; pos_id: string };
    const plan = await db.transaction().execute((trx) => sendBulkValidation(trx, app.deps, staffActor(request), access.org.id, bulkFilter(values), { templateId: values.template_id, posId: values.pos_id }));
    return redirect(reply, `${home(access)}?status=unverified&sent=${plan.targets.length}`);
  });

  async function showNew(request: FastifyRequest, reply: FastifyReply, access: OrgAccess, kind: ContactKind, values: Record<string, string> = {}, errors: FormErrors = {}, status = 200) {
    const [context, structures] = await Promise.all([mailContextFor(db, access.org.id, kind), listStructures(db, access.org.id)]);
    return renderPage(request, reply, { title: 'New contact', nav: navOf(access), status }, (csrf) => (
      <NewContactPage access={access} kind={kind} csrf={csrf} context={context} structures={structures} values={values} errors={errors} />
    ));
  }

  app.get(`${base}/new`, async (request, reply) => {
    const access = await staff(request);
    const kind = CONTACT_KINDS.find((k) => k === (request.query as { kind?: string }).kind) ?? 'individual';
    return showNew(request, reply, access, kind);
  });

  app.post(base, { schema: { body: NewBody } }, async (request, reply) => {
    const access = await staff(request);
    const body = request.body as Record<string, string> & { kind: ContactKind };
    try {
      const contact = await db.transaction().execute((trx) =>
        createContactByOperator(trx, app.deps, staffActor(request), access.org.id, {
          kind: body.kind,
          email: body['email'] ?? '',
          firstName: body['first_name'] ?? '',
          lastName: body['last_name'] ?? '',
          structureId: body['structure_id'] ?? '',
          templateId: body['template_id'] ?? '',
          posId: body['pos_id'] ?? '',
        }),
      );
      return redirect(reply, `${home(access)}/${contact.id}?done=created`);
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, '_form');
      if (!errors) throw error;
      return showNew(request, reply, access, body.kind, body, errors, error instanceof DomainError && error.code === 'duplicate_email' ? 409 : 400);
    }
  });

  async function showContact(request: FastifyRequest, reply: FastifyReply, access: OrgAccess, contactId: string, errors: FormErrors = {}, status = 200) {
    const contact = await getContact(db, access.org.id, contactId).catch(() => null);
    if (!contact) throw new DomainError('not_found', 'Contact not found');
    if (contact.mergedInto) {
      const parent = await getContact(db, access.org.id, contact.mergedInto).catch(() => null);
      return renderPage(request, reply, { title: contactName(contact), nav: navOf(access) }, () => <MergedContactPage access={access} contact={contact} parent={parent} />);
    }
    const [detail, ctxs] = await Promise.all([contactDetail(db, access.org.id, contact), contexts(access.org.id)]);
    const notice = (request.query as Record<string, string | undefined>)['notice'];
    const notices: Record<string, string> = {
      sent: 'Validation email queued.',
      validated: 'Marked as validated by an operator.',
      email: 'Address changed; a verification email is queued to the new address.',
      connected: 'Connected.',
      merged: 'Merged.',
    };
    return renderPage(request, reply, { title: contactName(contact), nav: navOf(access), status }, (csrf) => (
      <ContactView access={access} detail={detail} contexts={ctxs} csrf={csrf} errors={errors} notice={notice ? (notices[notice] ?? null) : null} />
    ));
  }

  app.get(`${base}/:contactId`, async (request, reply) => showContact(request, reply, await staff(request), params(request).contactId));

  /** Runs a contact action; a refusal about the input shows the contact page with the message. */
  async function act(request: FastifyRequest, reply: FastifyReply, access: OrgAccess, work: () => Promise<string>) {
    try {
      return redirect(reply, await work());
    } catch (error) {
      const errors = formErrorsOf(error, PATHS, '_form') ?? (error instanceof DomainError && error.code === 'conflict' ? { _form: error.message } : null);
      if (!errors) throw error;
      return showContact(request, reply, access, params(request).contactId, errors, error instanceof DomainError && error.code !== 'validation_failed' ? 409 : 400);
    }
  }

  app.post(`${base}/:contactId/validation-email`, { schema: { body: ChoiceBody } }, async (request, reply) => {
    const access = await staff(request);
    const body = request.body as { template_id: string; pos_id: string };
    const back = (request.query as { back?: string }).back;
    return act(request, reply, access, async () => {
      await db.transaction().execute((trx) => sendValidationEmail(trx, app.deps, staffActor(request), access.org.id, params(request).contactId, { templateId: body.template_id, posId: body.pos_id }));
      // From the friends & family warning: back to the contact whose page it was on.
      const target = back && /^[0-9a-z]{26}$/i.test(back) ? back : params(request).contactId;
      return `${home(access)}/${target}?notice=sent`;
    });
  });

  app.post(`${base}/:contactId/validate`, { schema: { body: CsrfBody } }, async (request, reply) => {
    const access = await admin(request);
    return act(request, reply, access, async () => {
      await db.transaction().execute((trx) => markValidatedByOperator(trx, app.deps, staffActor(request), access.org.id, params(request).contactId));
      return `${home(access)}/${params(request).contactId}?notice=validated`;
    });
  });

  app.post(`${base}/:contactId/email`, { schema: { body: EmailBody } }, async (request, reply) => {
    const access = await staff(request);
    const body = request.body as { email: string; template_id: string; pos_id: string };
    return act(request, reply, access, async () => {
      await db.transaction().execute((trx) => changeEmailAsOperator(trx, app.deps, staffActor(request), access.org.id, params(request).contactId, { email: body.email, templateId: body.template_id, posId: body.pos_id }));
      return `${home(access)}/${params(request).contactId}?notice=email`;
    });
  });

  app.post(`${base}/:contactId/connections`, { schema: { body: ConnectBody } }, async (request, reply) => {
    const access = await staff(request);
    const email = canonicalEmail((request.body as { email: string }).email);
    return act(request, reply, access, async () => {
      const other = email ? await findAccountByEmail(db, access.org.id, email) : null;
      if (!other || other.merged_into) throw new DomainError('validation_failed', 'No contact of this organisation has this address', [{ path: '/connectedId', message: 'No contact of this organisation has this address' }]);
      await db.transaction().execute((trx) => connectContacts(trx, app.deps, staffActor(request), access.org.id, params(request).contactId, other.id));
      return `${home(access)}/${params(request).contactId}?notice=connected`;
    });
  });

  app.post(`${base}/:contactId/connections/:otherId/delete`, { schema: { body: CsrfBody } }, async (request, reply) => {
    const access = await staff(request);
    await db.transaction().execute((trx) => disconnectContacts(trx, app.deps, staffActor(request), access.org.id, params(request).contactId, params(request).otherId));
    return redirect(reply, `${home(access)}/${params(request).contactId}?done=deleted`);
  });

  app.get(`${base}/:contactId/merge`, async (request, reply) => {
    const access = await admin(request);
    const parent = await liveContact(db, access.org.id, params(request).contactId);
    const query = request.query as { child_email?: string; child_id?: string };
    const email = canonicalEmail(query.child_email ?? '');
    const childRow = email ? await findAccountByEmail(db, access.org.id, email) : null;
    const child = childRow ? await liveContact(db, access.org.id, childRow.id).catch(() => null) : query.child_id ? await liveContact(db, access.org.id, query.child_id) : null;
    if (!child || child.id === parent.id) return showContact(request, reply, access, parent.id, { _form: 'No other contact of this organisation has this address' }, 400);
    const [parentDetail, childDetail] = await Promise.all([contactDetail(db, access.org.id, parent), contactDetail(db, access.org.id, child)]);
    return renderPage(request, reply, { title: 'Merge contacts', nav: navOf(access) }, (csrf) => <MergeConfirmPage access={access} parent={parentDetail} child={childDetail} csrf={csrf} />);
  });

  app.post(`${base}/:contactId/merge`, { schema: { body: MergeBody } }, async (request, reply) => {
    const access = await admin(request);
    const body = request.body as { child_id: string; email_from: 'parent' | 'child' };
    return act(request, reply, access, async () => {
      await db.transaction().execute((trx) =>
        mergeContacts(trx, app.deps, staffActor(request), access.org.id, { parentId: params(request).contactId, childId: body.child_id, takeChildEmail: body.email_from === 'child' }),
      );
      return `${home(access)}/${params(request).contactId}?notice=merged`;
    });
  });
}
