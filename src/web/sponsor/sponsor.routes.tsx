import { anonymousActor } from '../../http/actor.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CREDENTIAL_PAGE_HEADERS } from '../../http/attendee-session.js';
import { getEvent } from '../../modules/events/index.js';
import {
  endSponsorSession,
  getSponsor,
  getSponsorLogo,
  removeSponsorLogo,
  setSponsorLogo,
  sponsorActor,
  startSponsorSession,
  updateSponsor,
  type Sponsor,
  type SponsorSession,
} from '../../modules/sponsors/index.js';
import { renderAttendeePage } from '../attendee/attendee-page.js';
import { registerLinkPurpose } from '../attendee/link-purposes.js';
import { formErrorsOf, paramsOf, refusalStatus, type FormErrors } from '../backoffice/event-ui.js';
import { redirect } from '../page.js';
import { boothRoutes } from './booth.routes.js';
import { clearSponsorCookie, readLogoUpload, requireSponsor, sendLogo, setSponsorCookie, SPONSOR_COOKIE, sponsorHome, sponsorPath } from './sponsor-http.js';
import { LogoForm, ProfileForm, profileErrorPaths, profileFromBody, sponsorNav, valuesOf, type ProfileFormProps } from './sponsor-views.js';

registerLinkPurpose({
  purpose: 'sponsor',
  label: 'sponsor permalink',
  landing: ({ event }) => ({
    heading: 'Your sponsor profile',
    text: `This opens the sponsor profile you were invited to edit${event ? ` for ${event.name}` : ''}, in this browser. It gives access to that profile only.`,
    button: 'Open the sponsor profile',
  }),
  async redeem(db, app, request, reply, credential) {
    const { token, session } = await startSponsorSession(db, app.deps, anonymousActor(request), credential);
    setSponsorCookie(app, reply, token, session);
    return sponsorHome(session);
  },
  // A sponsor permalink dies only when the organiser withdraws it: a new one comes from them.
  renewal: (credential) => ({
    href: `/e/${credential.eventId ?? ''}`,
    text: 'The organiser has withdrawn this sponsor link. Ask them to send you a new one.',
    button: 'Go to the event page',
  }),
});

// Fixed sentences chosen by code: a crafted link can only show one of ours.
const FLASHES: Record<string, string> = { saved: 'Saved.', logo: 'Logo updated.', logo_removed: 'Logo removed.' };

interface PageState {
  errors?: FormErrors;
  values?: ProfileFormProps['values'];
  logoError?: string | null;
  status?: number;
}

async function showProfile(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, session: SponsorSession, sponsor: Sponsor, state: PageState = {}) {
  const event = await getEvent(app.deps.db, session.orgId, session.eventId);
  const base = sponsorPath(sponsor.id);
  const done = (request.query as Record<string, unknown> | undefined)?.['done'];
  const flash = typeof done === 'string' ? (FLASHES[done] ?? null) : null;
  return renderAttendeePage(request, reply, { title: `${sponsor.name} · sponsor profile`, eventName: event.name, nav: sponsorNav(session), status: state.status ?? 200 }, (csrf) => (
    <section class="sponsor-page">
      {flash && (
        <p class="flash" role="status">
          {flash}
        </p>
      )}
      <h1>{sponsor.name}</h1>
      <p class="muted">
        Sponsor profile for {event.name}. Booth: <b data-testid="sponsor-booth">{sponsor.booth || 'not assigned yet'}</b>. Only the organiser can change the booth.
      </p>
      <ProfileForm action={base} csrf={csrf} values={state.values ?? valuesOf(sponsor)} errors={state.errors ?? {}} withBooth={false} submit="Save profile" />
      <LogoForm action={`${base}/logo`} removeAction={`${base}/logo/remove`} csrf={csrf} logoSrc={sponsor.logo ? `${base}/logo?v=${sponsor.logo.version}` : null} error={state.logoError ?? null} />
    </section>
  ));
}

/**
 * The pages a sponsor permalink opens: one sponsor's profile, seen and edited by its contact.
 * Every route resolves the sponsor session first and refuses any other sponsor as not found.
 */
export async function sponsorRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  await app.register(boothRoutes);
  const base = '/sponsor/:sponsorId';

  async function load(request: FastifyRequest, reply: FastifyReply, need: 'profile' | 'booth' = 'profile') {
    reply.headers(CREDENTIAL_PAGE_HEADERS);
    const session = await requireSponsor(app, request, paramsOf(request)['sponsorId'] ?? '', need);
    const sponsor = await getSponsor(db, session.orgId, session.eventId, session.sponsorId);
    return { session, sponsor };
  }

  app.get(base, async (request, reply) => {
    const { session, sponsor } = await load(request, reply);
    return showProfile(app, request, reply, session, sponsor);
  });

  app.post(base, async (request, reply) => {
    const { session, sponsor } = await load(request, reply);
    const input = profileFromBody(request.body);
    try {
      await db.transaction().execute((trx) => updateSponsor(trx, app.deps, sponsorActor(session, request.ip), sponsor, input));
    } catch (err) {
      const errors = formErrorsOf(err, profileErrorPaths());
      if (!errors) throw err;
      const values = { name: String(input.name ?? ''), description: String(input.description ?? ''), links: input.links, booth: sponsor.booth };
      return showProfile(app, request, reply, session, sponsor, { errors, values, status: refusalStatus(err) });
    }
    return redirect(reply, `${sponsorPath(sponsor.id)}?done=saved`);
  });

  app.get(`${base}/logo`, async (request, reply) => {
    const { sponsor } = await load(request, reply);
    return sendLogo(reply, await getSponsorLogo(db, sponsor));
  });

  app.post(`${base}/logo`, async (request, reply) => {
    const { session, sponsor } = await load(request, reply);
    const bytes = await readLogoUpload(request);
    await db.transaction().execute((trx) => setSponsorLogo(trx, app.deps, sponsorActor(session, request.ip), sponsor, bytes));
    return redirect(reply, `${sponsorPath(sponsor.id)}?done=logo`);
  });

  app.post(`${base}/logo/remove`, async (request, reply) => {
    const { session, sponsor } = await load(request, reply);
    await db.transaction().execute((trx) => removeSponsorLogo(trx, app.deps, sponsorActor(session, request.ip), sponsor));
    return redirect(reply, `${sponsorPath(sponsor.id)}?done=logo_removed`);
  });

  app.post(`${base}/sign-out`, async (request, reply) => {
    await load(request, reply, 'booth');
    await endSponsorSession(db, request.cookies[SPONSOR_COOKIE] ?? '');
    clearSponsorCookie(reply);
    return renderAttendeePage(request, reply, { title: 'Signed out' }, () => (
      <section class="narrow">
        <h1>You are signed out</h1>
        <p>Open the link from your email again to come back to your sponsor profile.</p>
      </section>
    ));
  });
}
