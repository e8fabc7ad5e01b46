import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { wantsJson } from '../../http/error-handler.js';
import type { Actor } from '../../lib/context.js';
import { DomainError, errorStatus, isDomainError } from '../../lib/errors.js';
import { isId } from '../../lib/ids.js';
import { csvStream, safeCell } from '../../modules/imports/index.js';
import {
  cardOf,
  collectLead,
  getCardSettings,
  getCollectedCard,
  listCollectedCards,
  listCollectors,
  MAX_NOTE_LENGTH,
  setCardSettings,
  setLeadNote,
  type CollectedCard,
} from '../../modules/leads/index.js';
import { leadIdOf } from '../../modules/qr-codes/index.js';
import { redirect } from '../page.js';
import { appContext, eventIdOf, renderAppPage, signInPath, type AppContext } from './app.routes.js';
import { displayName } from './app-views.js';
import { CollectedPage, ExchangePage, MyCardPage, cardValue } from './leads-views.js';

/**
 * Lead attempts per attendee. A lead id has 39.6 random bits, so guessing is hopeless anyway;
 * the limit keeps it so and stops a script from walking the id space through one session, while
 * an attendee scanning a badge every few seconds for minutes on end never meets it.
 */
export const LEAD_LIMITS = {
  perAttendee: { max: 30, timeWindow: 5 * 60_000 },
  // Per address: generous, a venue's wifi is one address for everyone.
  perIp: { max: 600, timeWindow: 60_000 },
} as const;

/** The scanner fallback decoder: jsQR's UMD build, served as it ships. */
export const JSQR_PATH = '/static/jsqr.js';
const SCANNER_SCRIPT = readFileSync(new URL('../../../public/lead-scanner.js', import.meta.url), 'utf8');
const JSQR_SCRIPT = readFileSync(new URL('../../../node_modules/jsqr/dist/jsQR.js', import.meta.url), 'utf8');

const CollectBody = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })), leadId: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
const SettingsBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    share_email: Type.Optional(Type.Literal('1')),
    share: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 300 })),
  },
  { additionalProperties: false },
);
const NoteBody = Type.Object({ _csrf: Type.String({ maxLength: 200 }), note: Type.String({ maxLength: MAX_NOTE_LENGTH * 2 }) }, { additionalProperties: false });

function attendeeActor(request: FastifyRequest, c: AppContext): Actor {
  return { type: 'attendee', id: c.participant.id, label: displayName(c.participant) || c.participant.email, ip: request.ip };
}

function refuseInPreview(c: AppContext): void {
  if (c.session.kind === 'preview') throw new DomainError('forbidden', 'A staff preview is read-only: nothing was changed.');
}

/** Columns of the CSV: name, email, every field anyone shared, the date and my note. */
function csvRows(cards: CollectedCard[], timeZone: string): string[][] {
  const labels = new Map<string, string>();
  for (const c of cards) for (const f of c.card.fields) if (!labels.has(f.key)) labels.set(f.key, f.label);
  const keys = [...labels.keys()];
  const rows = [['Name', 'Email', ...labels.values(), `Collected at (${timeZone})`, 'My note']];
  for (const c of cards) {
    const values = new Map(c.card.fields.map((f) => [f.key, cardValue(f)]));
    const at = new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(new Date(c.collectedAt));
    rows.push([c.card.name, c.card.email ?? '', ...keys.map((k) => values.get(k) ?? ''), at, c.note].map(safeCell));
  }
  return rows;
}

/** The attendee web app's lead exchange: exchange (scan or type), my card, collected cards. */
export async function leadsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const base = '/app/:eventId';
  const perAttendee = app.createRateLimit({
    ...LEAD_LIMITS.perAttendee,
    keyGenerator: (request) => `lead:${String((request.params as { eventId?: string }).eventId)}:${collectorOf.get(request) ?? request.ip}`,
  });
  // The rate-limit key is the attendee, known only once the session is resolved in the handler.
  const collectorOf = new WeakMap<FastifyRequest, string>();

  app.get('/static/lead-scanner.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(SCANNER_SCRIPT),
  );
  app.get(JSQR_PATH, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(JSQR_SCRIPT));

  async function showExchange(request: FastifyRequest, reply: FastifyReply, c: AppContext, state: { typed?: string; error?: string; status?: number } = {}) {
    const query = request.query as Record<string, unknown>;
    const gotId = typeof query['got'] === 'string' && isId(query['got']) ? query['got'] : null;
    const mine = gotId ? await getCollectedCard(db, c.session.orgId, c.event.id, c.participant.id, gotId) : null;
    const got = mine ? { card: mine, created: query['new'] === '1' } : undefined;
    return renderAppPage(request, reply, c, { title: 'Exchange cards', status: state.status ?? 200 }, (csrf) => (
      <ExchangePage base={c.base} csrf={csrf} typed={state.typed ?? ''} error={state.error} got={got} readOnly={c.session.kind === 'preview'} jsqrUrl={JSQR_PATH} />
    ));
  }

  app.get(`${base}/leads`, async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    return showExchange(request, reply, c);
  });

  // One route for the plain form (answers with pages) and the scanner script or a scanner app
  // (JSON: { leadId } in, the card out, refusals as { error: { code } }).
  app.post(`${base}/leads`, { schema: { body: CollectBody }, config: { rateLimit: LEAD_LIMITS.perIp } }, async (request, reply) => {
    const json = wantsJson(request);
    const c = await appContext(app, request, reply);
    if (!c) {
      if (json) throw new DomainError('unauthenticated', 'Sign in to continue');
      return redirect(reply, signInPath(eventIdOf(request)));
    }
    const { leadId } = request.body as { leadId: string };
    try {
      refuseInPreview(c);
      collectorOf.set(request, c.participant.id);
      const limit = await perAttendee(request);
      if (!limit.isAllowed && limit.isExceeded) {
        reply.header('retry-after', String(limit.ttlInSeconds));
        throw new DomainError('rate_limited', 'Too many lead ids in a short time. Wait a few minutes and try again.');
      }
      const result = await db.transaction().execute((trx) => collectLead(trx, app.deps, attendeeActor(request, c), c.session.orgId, c.event.id, c.participant.id, leadId));
      if (json) return reply.code(result.created ? 201 : 200).header('cache-control', 'no-store').send(result);
      return redirect(reply, `${c.base}/leads?got=${result.exchangeId}${result.created ? '&new=1' : ''}`);
    } catch (error) {
      if (json || !isDomainError(error) || error.code === 'not_found') throw error;
      return showExchange(request, reply, c, { typed: leadId.slice(0, 40), error: error.message, status: errorStatus[error.code] });
    }
  });

  async function showMyCard(request: FastifyRequest, reply: FastifyReply, c: AppContext, state: { saved?: boolean; error?: string; status?: number } = {}) {
    const { orgId } = c.session;
    const [settings, collectors] = await Promise.all([getCardSettings(db, orgId, c.event.id, c.participant.id), listCollectors(db, orgId, c.event.id, c.participant.id)]);
    // A staff preview is not shown the lead id (nor makes one): it is the attendee's to hand out.
    const leadId = c.session.kind === 'preview' ? null : await leadIdOf(db, app.deps, orgId, c.event.id, c.participant.id);
    const preview = cardOf(c.participant, settings, c.fields);
    return renderAppPage(request, reply, c, { title: 'My card', status: state.status ?? 200 }, (csrf) => (
      <MyCardPage
        base={c.base}
        csrf={csrf}
        leadId={leadId}
        participant={c.participant}
        fields={c.fields}
        settings={settings}
        preview={preview}
        collectors={collectors}
        timeZone={c.event.timeZone}
        saved={state.saved ?? false}
        error={state.error}
        readOnly={c.session.kind === 'preview'}
      />
    ));
  }

  app.get(`${base}/my-card`, async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    return showMyCard(request, reply, c, { saved: (request.query as Record<string, unknown>)['saved'] === '1' });
  });

  app.post(`${base}/my-card`, { schema: { body: SettingsBody } }, async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    if (c.session.kind === 'preview') return showMyCard(request, reply, c, { error: 'A staff preview is read-only: nothing was saved.', status: 403 });
    const body = request.body as { share_email?: '1'; share?: string[] };
    await db.transaction().execute((trx) =>
      setCardSettings(trx, app.deps, attendeeActor(request, c), c.session.orgId, c.event.id, c.participant.id, { email: body.share_email === '1', fields: body.share ?? [] }),
    );
    return redirect(reply, `${c.base}/my-card?saved=1`);
  });

  app.get(`${base}/cards`, async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    const cards = await listCollectedCards(db, c.session.orgId, c.event.id, c.participant.id);
    return renderAppPage(request, reply, c, { title: 'Collected cards' }, (csrf) => (
      <CollectedPage base={c.base} csrf={csrf} cards={cards} timeZone={c.event.timeZone} readOnly={c.session.kind === 'preview'} />
    ));
  });

  app.post(`${base}/cards/:exchangeId/note`, { schema: { body: NoteBody } }, async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    refuseInPreview(c);
    const { exchangeId } = request.params as { exchangeId: string };
    if (!isId(exchangeId)) throw new DomainError('not_found', 'Card not found');
    const { note } = request.body as { note: string };
    await db.transaction().execute((trx) => setLeadNote(trx, app.deps, attendeeActor(request, c), c.session.orgId, c.event.id, c.participant.id, exchangeId, note));
    return redirect(reply, `${c.base}/cards#card-${exchangeId}`);
  });

  app.get(`${base}/cards.csv`, async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    const cards = await listCollectedCards(db, c.session.orgId, c.event.id, c.participant.id);
    async function* rows() {
      yield* csvRows(cards, c!.event.timeZone);
    }
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${c.event.slug}-cards.csv"`)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(csvStream(rows()));
  });
}
