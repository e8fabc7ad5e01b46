import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import {
  addSponsorContact,
  createSponsor,
  deleteSponsor,
  getSponsor,
  getSponsorLogo,
  listSponsorContacts,
  listSponsors,
  permalinkStatuses,
  removeSponsorContact,
  removeSponsorLogo,
  revokeSponsorPermalinks,
  sendSponsorPermalink,
  setSponsorLogo,
  updateSponsor,
  type Sponsor,
} from '../../modules/sponsors/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { readLogoUpload, sendLogo } from '../sponsor/sponsor-http.js';
import { LogoForm, ProfileForm, profileErrorPaths, profileFromBody, valuesOf, type ProfileFormProps } from '../sponsor/sponsor-views.js';
import { formatDateTime, navOf, PostButton } from './components.js';
import { ErrorSummary, EventHeader, eventPath, FieldError, formErrorsOf, paramsOf, refusalStatus, type FormErrors } from './event-ui.js';
import { SponsorContacts } from './sponsor-contacts.js';

const FLASHES: Record<string, string> = {
  permalink_sent: 'The permalink email is queued. Each email carries a link of its own; earlier ones keep working until you revoke them.',
  permalink_skipped: 'The email was not queued: this address is suppressed (bounced or invalid).',
  permalink_revoked: 'Revoked: the contact\'s permalinks no longer work and their open sessions have ended.',
  contact_added: 'Contact added. Send them the permalink when the profile is ready for them.',
  logo: 'Logo updated.',
};

function flashOf(request: FastifyRequest): string | null {
  const done = (request.query as Record<string, unknown> | undefined)?.['done'];
  return typeof done === 'string' ? (FLASHES[done] ?? null) : null;
}

function sponsorsPath(access: OrgAccess, event: Event): string {
  return `${eventPath(access.org.id, event.id)}/sponsors`;
}

function SponsorList({ access, event, sponsors, csrf, errors }: { access: OrgAccess; event: Event; sponsors: Sponsor[]; csrf: string; errors: FormErrors }) {
  const base = sponsorsPath(access, event);
  return (
    <section>
      <EventHeader access={access} event={event} current="sponsors" />
      <h1>Sponsors</h1>
      <p>
        Each sponsor's contacts can receive a <b>permalink</b>: it opens that sponsor's profile, and only it, so they can keep their logo, description and
        links up to date themselves. It works until you revoke it; every change they make is in the audit log under their name.
      </p>
      {sponsors.length === 0 ? (
        <p class="muted">No sponsor yet.</p>
      ) : (
        <table class="sponsors">
          <thead>
            <tr>
              <th>Name</th>
              <th>Booth</th>
              <th>Logo</th>
            </tr>
          </thead>
          <tbody>
            {sponsors.map((s) => (
              <tr>
                <td>
                  <a href={`${base}/${s.id}`}>{s.name}</a>
                </td>
                <td>{s.booth}</td>
                <td>{s.logo ? 'yes' : <span class="muted">none</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {roleAtLeast(access.role, 'admin') && (
        <form method="post" action={base} class="card" data-testid="new-sponsor">
          <h2>Add a sponsor</h2>
          <CsrfField csrf={csrf} />
          <ErrorSummary errors={errors} />
          <label>
            Name
            <input type="text" name="name" required maxLength={120} />
            <FieldError errors={errors} name="name" />
          </label>
          <label>
            Booth
            <input type="text" name="booth" maxLength={40} />
          </label>
          <button type="submit">Add sponsor</button>
        </form>
      )}
    </section>
  );
}

/** The back-office side of sponsors: list, profile, logo, contacts and their permalinks. */
export async function sponsorsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId/sponsors';

  async function load(request: FastifyRequest, minimum: 'staff' | 'admin') {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, minimum);
    const event = await getEvent(db, access.org.id, eventId!);
    return { access, event };
  }

  async function loadSponsor(request: FastifyRequest, minimum: 'staff' | 'admin') {
    const { access, event } = await load(request, minimum);
    const sponsor = await getSponsor(db, access.org.id, event.id, paramsOf(request)['sponsorId'] ?? '');
    return { access, event, sponsor, path: `${sponsorsPath(access, event)}/${sponsor.id}` };
  }

  async function showSponsor(request: FastifyRequest, reply: FastifyReply, ctx: Awaited<ReturnType<typeof loadSponsor>>, state: { errors?: FormErrors; values?: ProfileFormProps['values']; status?: number; contactErrors?: FormErrors } = {}) {
    const { access, event, sponsor, path } = ctx;
    const admin = roleAtLeast(access.role, 'admin');
    const contacts = await listSponsorContacts(db, sponsor);
    const statuses = await permalinkStatuses(db, app.deps, sponsor, contacts);
    return renderPage(request, reply, { title: `${sponsor.name} · Sponsors · ${event.name}`, nav: navOf(access), status: state.status ?? 200, flash: flashOf(request) }, (csrf) => (
      <section>
        <EventHeader access={access} event={event} current="sponsors" />
        <p class="muted">
          <a href={sponsorsPath(access, event)}>Sponsors</a> › {sponsor.name}
        </p>
        <h1>{sponsor.name}</h1>
        {admin ? (
          <ProfileForm action={path} csrf={csrf} values={state.values ?? valuesOf(sponsor)} errors={state.errors ?? {}} withBooth submit="Save" />
        ) : (
          <p>
            Booth: {sponsor.booth || 'none'}. Last changed {formatDateTime(sponsor.updatedAt)}.
          </p>
        )}
        {admin ? (
          <LogoForm action={`${path}/logo`} removeAction={`${path}/logo/remove`} csrf={csrf} logoSrc={sponsor.logo ? `${path}/logo?v=${sponsor.logo.version}` : null} />
        ) : (
          sponsor.logo && <img src={`${path}/logo?v=${sponsor.logo.version}`} alt="Logo" width={240} />
        )}
        <SponsorContacts path={path} csrf={csrf} admin={admin} contacts={contacts} statuses={statuses} errors={state.contactErrors ?? {}} />
        {admin && (
          <div class="card danger-zone">
            <h2>Delete this sponsor</h2>
            <p>Its profile, logo and contacts are deleted; every permalink stops working and open sponsor sessions end.</p>
            <PostButton action={`${path}/delete`} csrf={csrf} label={`Delete ${sponsor.name}`} danger />
          </div>
        )}
      </section>
    ));
  }

  app.get(base, async (request, reply) => {
    const { access, event } = await load(request, 'staff');
    const sponsors = await listSponsors(db, access.org.id, event.id);
    return renderPage(request, reply, { title: `Sponsors · ${event.name}`, nav: navOf(access) }, (csrf) => <SponsorList access={access} event={event} sponsors={sponsors} csrf={csrf} errors={{}} />);
  });

  app.post(base, async (request, reply) => {
    const { access, event } = await load(request, 'admin');
    try {
      const sponsor = await db.transaction().execute((trx) => createSponsor(trx, app.deps, staffActor(request), access.org.id, event.id, request.body as Record<string, unknown>));
      return redirect(reply, `${sponsorsPath(access, event)}/${sponsor.id}?done=created`);
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      const sponsors = await listSponsors(db, access.org.id, event.id);
      return renderPage(request, reply, { title: `Sponsors · ${event.name}`, nav: navOf(access), status: refusalStatus(err) }, (csrf) => (
        <SponsorList access={access} event={event} sponsors={sponsors} csrf={csrf} errors={errors} />
      ));
    }
  });

  app.get(`${base}/:sponsorId`, async (request, reply) => showSponsor(request, reply, await loadSponsor(request, 'staff')));

  app.post(`${base}/:sponsorId`, async (request, reply) => {
    const ctx = await loadSponsor(request, 'admin');
    const input = profileFromBody(request.body);
    try {
      await db.transaction().execute((trx) => updateSponsor(trx, app.deps, staffActor(request), ctx.sponsor, input, input.booth ?? ''));
    } catch (err) {
      const errors = formErrorsOf(err, profileErrorPaths());
      if (!errors) throw err;
      const values = { name: String(input.name ?? ''), description: String(input.description ?? ''), links: input.links, booth: String(input.booth ?? '') };
      return showSponsor(request, reply, ctx, { errors, values, status: refusalStatus(err) });
    }
    return redirect(reply, `${ctx.path}?done=saved`);
  });

  app.get(`${base}/:sponsorId/logo`, async (request, reply) => {
    const { sponsor } = await loadSponsor(request, 'staff');
    return sendLogo(reply, await getSponsorLogo(db, sponsor));
  });

  app.post(`${base}/:sponsorId/logo`, async (request, reply) => {
    const { sponsor, path } = await loadSponsor(request, 'admin');
    const bytes = await readLogoUpload(request);
    await db.transaction().execute((trx) => setSponsorLogo(trx, app.deps, staffActor(request), sponsor, bytes));
    return redirect(reply, `${path}?done=logo`);
  });

  app.post(`${base}/:sponsorId/logo/remove`, async (request, reply) => {
    const { sponsor, path } = await loadSponsor(request, 'admin');
    await db.transaction().execute((trx) => removeSponsorLogo(trx, app.deps, staffActor(request), sponsor));
    return redirect(reply, `${path}?done=saved`);
  });

  app.post(`${base}/:sponsorId/delete`, async (request, reply) => {
    const { access, event, sponsor } = await loadSponsor(request, 'admin');
    await db.transaction().execute((trx) => deleteSponsor(trx, app.deps, staffActor(request), sponsor));
    return redirect(reply, `${sponsorsPath(access, event)}?done=deleted`);
  });

  app.post(`${base}/:sponsorId/contacts`, async (request, reply) => {
    const ctx = await loadSponsor(request, 'admin');
    try {
      await db.transaction().execute((trx) => addSponsorContact(trx, app.deps, staffActor(request), ctx.sponsor, request.body as Record<string, unknown>));
    } catch (err) {
      const contactErrors = formErrorsOf(err);
      if (!contactErrors) throw err;
      return showSponsor(request, reply, ctx, { contactErrors, status: refusalStatus(err) });
    }
    return redirect(reply, `${ctx.path}?done=contact_added`);
  });

  app.post(`${base}/:sponsorId/contacts/:contactId/send`, async (request, reply) => {
    const { sponsor, path } = await loadSponsor(request, 'admin');
    const queued = await db.transaction().execute((trx) => sendSponsorPermalink(trx, app.deps, staffActor(request), sponsor, paramsOf(request)['contactId'] ?? ''));
    return redirect(reply, `${path}?done=${queued.status === 'queued' ? 'permalink_sent' : 'permalink_skipped'}`);
  });

  app.post(`${base}/:sponsorId/contacts/:contactId/revoke`, async (request, reply) => {
    const { sponsor, path } = await loadSponsor(request, 'admin');
    await db.transaction().execute((trx) => revokeSponsorPermalinks(trx, app.deps, staffActor(request), sponsor, paramsOf(request)['contactId'] ?? ''));
    return redirect(reply, `${path}?done=permalink_revoked`);
  });

  app.post(`${base}/:sponsorId/contacts/:contactId/remove`, async (request, reply) => {
    const { sponsor, path } = await loadSponsor(request, 'admin');
    await db.transaction().execute((trx) => removeSponsorContact(trx, app.deps, staffActor(request), sponsor, paramsOf(request)['contactId'] ?? ''));
    return redirect(reply, `${path}?done=deleted`);
  });
}
