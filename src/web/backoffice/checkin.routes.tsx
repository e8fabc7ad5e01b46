import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { ATTENTION_NOTE_MAX, checkIn, checkInStats, getAttentionNote, listConflicts, listSessions, setAttentionNote, type CheckInOutcome } from '../../modules/checkin/index.js';
import { getParticipant } from '../../modules/participants/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import { JSQR_PATH } from '../attendee/leads.routes.js';
import { redirect, renderPage } from '../page.js';
import { AttentionNotePage, DashboardPage, SCANNER_SCRIPT_PATH, ScanResult, ScannerPage } from './checkin-views.js';
import { navOf } from './components.js';
import { eventPath, formErrorsOf, paramsOf } from './event-ui.js';
import { participantName } from './participant-page.js';

const SCANNER_SCRIPT = readFileSync(new URL('../../../public/checkin-scanner.js', import.meta.url), 'utf8');

/** Names this browser as a scanning device, so its nonces are its own. Not a secret. */
const DEVICE_COOKIE = 'tessera_scanner';
const DEVICE = /^web-[A-Za-z0-9_-]{16}$/;

const ScanBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    code: Type.String({ maxLength: 300 }),
    nonce: Type.String({ maxLength: 64 }),
    session: Type.Optional(Type.String({ maxLength: 26 })),
  },
  { additionalProperties: false },
);
const NoteBody = Type.Object({ _csrf: Type.String({ maxLength: 200 }), note: Type.String({ maxLength: 5000 }) }, { additionalProperties: false });
const ScanQuery = Type.Object({ session: Type.Optional(Type.String({ maxLength: 26 })) });

function deviceOf(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): string {
  const current = request.cookies[DEVICE_COOKIE];
  if (current && DEVICE.test(current)) return current;
  const device = `web-${app.deps.random.bytes(12).toString('base64url')}`;
  const secure = app.deps.config.publicUrl.protocol === 'https:';
  reply.setCookie(DEVICE_COOKIE, device, { path: '/admin', httpOnly: true, sameSite: 'lax', secure, maxAge: 400 * 24 * 3600 });
  return device;
}

function freshNonce(app: FastifyInstance): string {
  return app.deps.random.bytes(16).toString('base64url');
}

/** Check-in in the back-office: the scanner page (scanner role and up) and the dashboard (staff and up). */
export async function checkInPageRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId';

  async function load(request: FastifyRequest, minimum: 'scanner' | 'staff'): Promise<{ access: OrgAccess; event: Event }> {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, minimum);
    return { access, event: await getEvent(db, access.org.id, eventId!) };
  }

  async function showScanner(request: FastifyRequest, reply: FastifyReply, page: { access: OrgAccess; event: Event }, sessionId: string | null, outcome: CheckInOutcome | null) {
    const sessions = await listSessions(db, page.access.org.id, page.event.id);
    // An unknown session in the query string falls back to the entrance rather than failing the page.
    const point = sessionId && sessions.some((s) => s.id === sessionId) ? sessionId : null;
    return renderPage(request, reply, { title: 'Check-in', nav: navOf(page.access) }, (csrf) => (
      <ScannerPage {...page} csrf={csrf} sessions={sessions} sessionId={point} nonce={freshNonce(app)} outcome={outcome} jsqrPath={JSQR_PATH} />
    ));
  }

  app.get(SCANNER_SCRIPT_PATH, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(SCANNER_SCRIPT),
  );

  app.get(`${base}/scan`, { schema: { querystring: ScanQuery } }, async (request, reply) => {
    const page = await load(request, 'scanner');
    deviceOf(app, request, reply);
    return showScanner(request, reply, page, (request.query as Static<typeof ScanQuery>).session || null, null);
  });

  /**
   * One scan. Without JavaScript the form posts here and gets the whole page back (reloading
   * re-sends the same nonce: the same answer, nothing recorded twice). The camera script asks
   * for JSON and gets the rendered result and the nonce for its next scan.
   */
  app.post(`${base}/scan`, { schema: { body: ScanBody } }, async (request, reply) => {
    const page = await load(request, 'scanner');
    const body = request.body as Static<typeof ScanBody>;
    const sessionId = body.session || null;
    const outcome = await checkIn(db, app.deps, staffActor(request), page.access.org.id, page.event.id, {
      code: body.code,
      sessionId,
      deviceId: deviceOf(app, request, reply),
      nonce: body.nonce,
    });
    if ((request.headers.accept ?? '').includes('application/json')) {
      const html = renderToString(h(ScanResult, { outcome, timeZone: page.event.timeZone }));
      return reply.header('cache-control', 'no-store').send({ result: outcome.result, html, nonce: freshNonce(app) });
    }
    return showScanner(request, reply, page, sessionId, outcome);
  });

  app.get(`${base}/checkin`, async (request, reply) => {
    const { access, event } = await load(request, 'staff');
    const [stats, conflicts, sessions] = [
      await checkInStats(db, access.org.id, event.id),
      await listConflicts(db, access.org.id, event.id),
      await listSessions(db, access.org.id, event.id),
    ];
    return renderPage(request, reply, { title: `Check-in · ${event.name}`, nav: navOf(access) }, () => (
      <DashboardPage access={access} event={event} stats={stats} conflicts={conflicts} sessions={sessions} />
    ));
  });

  const notePath = `${base}/participants/:participantId/attention-note`;

  async function notePage(request: FastifyRequest) {
    const page = await load(request, 'staff');
    const participant = await getParticipant(db, page.access.org.id, page.event.id, paramsOf(request)['participantId']!);
    return { ...page, participant };
  }

  app.get(notePath, async (request, reply) => {
    const { access, event, participant } = await notePage(request);
    const note = (await getAttentionNote(db, access.org.id, event.id, participant.id)) ?? '';
    return renderPage(request, reply, { title: 'Attention note', nav: navOf(access) }, (csrf) => (
      <AttentionNotePage access={access} event={event} csrf={csrf} participantId={participant.id} name={participantName(participant)} note={note} max={ATTENTION_NOTE_MAX} errors={{}} />
    ));
  });

  app.post(notePath, { schema: { body: NoteBody } }, async (request, reply) => {
    const { access, event, participant } = await notePage(request);
    const note = (request.body as Static<typeof NoteBody>).note;
    try {
      await db.transaction().execute((trx) => setAttentionNote(trx, app.deps, staffActor(request), access.org.id, event.id, participant.id, note));
    } catch (error) {
      const errors = formErrorsOf(error, {}, 'note');
      if (!errors) throw error;
      return renderPage(request, reply, { title: 'Attention note', nav: navOf(access), status: 400 }, (csrf) => (
        <AttentionNotePage access={access} event={event} csrf={csrf} participantId={participant.id} name={participantName(participant)} note={note} max={ATTENTION_NOTE_MAX} errors={errors} />
      ));
    }
    return redirect(reply, `${eventPath(access.org.id, event.id)}/participants/${participant.id}?done=saved`);
  });
}
