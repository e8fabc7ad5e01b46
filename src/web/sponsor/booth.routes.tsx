import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CREDENTIAL_PAGE_HEADERS } from '../../http/attendee-session.js';
import { wantsJson } from '../../http/error-handler.js';
import { DomainError } from '../../lib/errors.js';
import { getEvent } from '../../modules/events/index.js';
import { collectBoothLead, listBoothLeads, sponsorActor, type BoothLead, type SponsorSession } from '../../modules/sponsors/index.js';
import { renderAttendeePage } from '../attendee/attendee-page.js';
import { paramsOf } from '../backoffice/event-ui.js';
import { redirect } from '../page.js';
import { BoothPage } from './booth-views.js';
import { requireSponsor, sponsorPath } from './sponsor-http.js';
import { sponsorNav } from './sponsor-views.js';

/** Per address: generous, a venue's wifi is one address for every booth. */
const PER_IP = { max: 600, timeWindow: 60_000 } as const;

interface BoothState {
  typed?: string;
  error?: string | null;
  got?: { lead: BoothLead; created: boolean } | null;
  status?: number;
}

/**
 * Booth scanning for sponsor sessions, editors and scan-only booth staff alike: collect a
 * visitor's card by lead id (typed, or read from the badge's QR code by the shared scanner
 * script), and list the cards collected at the booth.
 */
export async function boothRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/sponsor/:sponsorId/leads';

  async function load(request: FastifyRequest, reply: FastifyReply): Promise<SponsorSession> {
    reply.headers(CREDENTIAL_PAGE_HEADERS);
    return requireSponsor(app, request, paramsOf(request)['sponsorId'] ?? '', 'booth');
  }

  async function show(request: FastifyRequest, reply: FastifyReply, session: SponsorSession, state: BoothState = {}) {
    const [event, leads] = await Promise.all([getEvent(db, session.orgId, session.eventId), listBoothLeads(db, session)]);
    const gotId = (request.query as Record<string, unknown> | undefined)?.['got'];
    const got = state.got ?? (typeof gotId === 'string' ? leads.find((l) => l.id === gotId) : undefined);
    const shown = got && 'lead' in got ? got : got ? { lead: got, created: (request.query as Record<string, unknown>)['new'] === '1' } : null;
    return renderAttendeePage(request, reply, { title: 'Booth scanning', eventName: event.name, nav: sponsorNav(session), status: state.status ?? 200 }, (csrf) => (
      <BoothPage base={sponsorPath(session.sponsorId)} csrf={csrf} typed={state.typed ?? ''} error={state.error ?? null} got={shown} leads={leads} timeZone={event.timeZone} />
    ));
  }

  app.get(base, async (request, reply) => show(request, reply, await load(request, reply)));

  // One route for the plain form (answers with pages) and the scanner script (JSON).
  app.post(base, { config: { rateLimit: PER_IP } }, async (request, reply) => {
    const session = await load(request, reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const typed = typeof body['leadId'] === 'string' ? body['leadId'].slice(0, 40) : '';
    try {
      const result = await db.transaction().execute((trx) => collectBoothLead(trx, app.deps, sponsorActor(session, request.ip), session, typed));
      if (wantsJson(request)) return reply.send({ exchangeId: result.lead.id, created: result.created });
      return redirect(reply, `${sponsorPath(session.sponsorId)}/leads?got=${result.lead.id}${result.created ? '&new=1' : ''}`);
    } catch (err) {
      if (wantsJson(request) || !(err instanceof DomainError) || !['validation_failed', 'not_found'].includes(err.code)) throw err;
      return show(request, reply, session, { typed, error: err.message, status: err.code === 'not_found' ? 404 : 400 });
    }
  });
}
