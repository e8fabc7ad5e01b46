import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../../lib/context.js';
import type { Db } from '../../db/database.js';
import { staffActor } from '../../http/actor.js';
import type { OrgAccess } from '../../http/staff-session.js';
import { DomainError } from '../../lib/errors.js';
import { accessCodeStatus, CREDENTIALS_ACTION, regenerateCode, resendCredentials, setChosenCode, type ResendResult } from '../../modules/access-codes/index.js';
import { templateForAction } from '../../modules/emailing/index.js';
import type { Event } from '../../modules/events/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { getParticipant, listParticipantAddresses, listParticipants, type Participant, type ParticipantQuery } from '../../modules/participants/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { AccessCodePanel, SetCodeForm } from './access-code-panel.js';
import { navOf } from './components.js';
import { loadEmailPage, type EmailPage } from './email-pages.js';
import { EventHeader, eventPath, formErrorsOf, paramsOf, type FormErrors } from './event-ui.js';
import { ListQuery, listHref, listStateOf, participantQueryOf, type ListState } from './participant-list.js';
import { participantName } from './participant-page.js';

// Ids per transaction of a bulk resend: each commits its outbox rows, and SQLite's one
// connection is never held for the whole list.
const BULK_CHUNK = 1_000;

/** Whether "resend credentials" can send anything: a credentials template is linked for the event (or the organisation). */
export async function credentialsLinked(db: Db, ctx: Ctx, orgId: string, eventId: string): Promise<boolean> {
  try {
    await templateForAction(db, ctx, orgId, eventId, CREDENTIALS_ACTION);
    return true;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'template_not_linked') return false;
    throw error;
  }
}

/**
 * The "Access code" panel of a participant page, loaded before rendering (the CSRF token comes
 * with the page). Staff see the status; admins get the actions.
 */
export async function loadAccessCodePanel(app: FastifyInstance, access: OrgAccess, event: Event, participant: Participant) {
  const { db } = app.deps;
  const registered = participant.status === 'registered';
  const status = registered ? await accessCodeStatus(db, access.org.id, participant.id) : null;
  const linked = registered ? await credentialsLinked(db, app.deps, access.org.id, event.id) : false;
  const base = eventPath(access.org.id, event.id);
  const actionBase = roleAtLeast(access.role, 'admin') ? `${base}/participants/${participant.id}/access-code` : null;
  const now = app.deps.clock.now();
  return (csrf: string) => (
    <AccessCodePanel
      status={status}
      registered={registered}
      credentialsLinked={linked}
      actionBase={actionBase}
      emailSettingsHref={`${base}/emails/actions`}
      timeZone={event.timeZone}
      now={now}
      csrf={csrf}
    />
  );
}

function NotLinked({ page, back }: { page: EmailPage; back: string }) {
  return (
    <section>
      <EventHeader access={page.access} event={page.event} current="participants" />
      <h1>Nothing was sent</h1>
      <p class="error-text" role="alert" data-testid="no-credentials-template">
        No credentials template is linked for this event, so credentials cannot be sent.{' '}
        <a href={`${page.eventBase}/emails/actions`}>Link one in the email settings</a> (action "Resend credentials"), then try again.
      </p>
      <p>
        <a href={back}>Back</a>
      </p>
    </section>
  );
}

const isNotLinked = (error: unknown) => error instanceof DomainError && error.code === 'template_not_linked';

function resultText(r: ResendResult): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `${plural(r.codes, 'credentials email', 'credentials emails')} queued, ${plural(r.setCodeLinks, 'set-code link', 'set-code links')} (attendees who chose their own code), ${r.skipped} skipped (not registered).`;
}

function BulkConfirm(props: { page: EmailPage; state: ListState; matching: number; registered: number; linked: boolean; csrf: string }) {
  const { page, state, matching, registered } = props;
  const list = listHref(`${page.eventBase}/participants`, state);
  return (
    <section class="narrow">
      <EventHeader access={page.access} event={page.event} current="participants" />
      <h1>Resend credentials</h1>
      <p data-testid="bulk-count">
        <b>{matching}</b> {matching === 1 ? 'participant matches' : 'participants match'} the list's filter; <b>{registered}</b> of them{' '}
        {registered === 1 ? 'is' : 'are'} registered. The others are skipped: no code until registered.
      </p>
      <p>
        Each registered attendee gets their own code again, with the credentials template. Attendees who chose their own code get a one-time link to set a
        new one instead: nobody can read a chosen code.
      </p>
      {!props.linked ? (
        <p class="error-text" role="alert" data-testid="no-credentials-template">
          No credentials template is linked for this event, so credentials cannot be sent.{' '}
          <a href={`${page.eventBase}/emails/actions`}>Link one in the email settings</a> (action "Resend credentials").
        </p>
      ) : registered === 0 ? (
        <p class="muted">Nobody to send to.</p>
      ) : (
        <form method="post" action={listHref(`${page.eventBase}/participants/resend-credentials`, state)}>
          <CsrfField csrf={props.csrf} />
          <button type="submit">
            Send credentials to {registered} {registered === 1 ? 'attendee' : 'attendees'}
          </button>{' '}
          <a href={list}>Cancel</a>
        </form>
      )}
    </section>
  );
}

const ResultQuery = Type.Object({
  codes: Type.Optional(Type.Integer({ minimum: 0 })),
  links: Type.Optional(Type.Integer({ minimum: 0 })),
  skipped: Type.Optional(Type.Integer({ minimum: 0 })),
});

/**
 * Organiser side of access codes: resend credentials, generate a new code, set a code, for one
 * participant (admins), and "resend credentials" for a filtered list. No page, redirect or log
 * line ever carries a code: the typed one in "set this code" included.
 */
export async function staffAccessCodeRoutes(app: FastifyInstance): Promise<void> {
  const { db, dialect } = app.deps;
  const eventBase = '/admin/o/:orgId/events/:eventId';
  const codeBase = `${eventBase}/participants/:participantId/access-code`;
  const bulkPath = `${eventBase}/participants/resend-credentials`;

  async function loadFor(request: FastifyRequest) {
    const page = await loadEmailPage(app, request, 'admin');
    const participant = await getParticipant(db, page.access.org.id, page.event.id, paramsOf(request)['participantId']!);
    if (participant.status !== 'registered') throw new DomainError('conflict', 'Only registered participants have an access code');
    return { page, participant, back: `${page.eventBase}/participants/${participant.id}` };
  }

  function notLinked(request: FastifyRequest, reply: FastifyReply, page: EmailPage, back: string) {
    return renderPage(request, reply, { title: 'Nothing was sent', nav: navOf(page.access), status: 409 }, () => <NotLinked page={page} back={back} />);
  }

  app.post(`${codeBase}/resend`, async (request, reply) => {
    const { page, participant, back } = await loadFor(request);
    try {
      const result = await db.transaction().execute((trx) => resendCredentials(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, [participant.id]));
      return redirect(reply, `${back}?done=${result.codes > 0 ? 'credentials_sent' : 'set_code_link_sent'}#access-code`);
    } catch (error) {
      if (isNotLinked(error)) return notLinked(request, reply, page, back);
      throw error;
    }
  });

  app.post(`${codeBase}/regenerate`, { schema: { body: Type.Object({ confirm: Type.Optional(Type.String({ maxLength: 10 })) }) } }, async (request, reply) => {
    const { page, participant, back } = await loadFor(request);
    if ((request.body as { confirm?: string }).confirm !== 'yes') {
      throw new DomainError('validation_failed', 'Tick "The current code stops working at once" to generate a new code.');
    }
    const actor = staffActor(request);
    try {
      // One transaction: without a linked template the new code is not kept either.
      await db.transaction().execute(async (trx) => {
        await regenerateCode(trx, app.deps, actor, page.access.org.id, page.event.id, participant.id);
        await resendCredentials(trx, app.deps, actor, page.access.org.id, page.event.id, [participant.id]);
      });
      return redirect(reply, `${back}?done=code_regenerated#access-code`);
    } catch (error) {
      if (isNotLinked(error)) return notLinked(request, reply, page, back);
      throw error;
    }
  });

  function showSetForm(request: FastifyRequest, reply: FastifyReply, c: Awaited<ReturnType<typeof loadFor>>, errors: FormErrors, status = 200) {
    const name = participantName(c.participant);
    return renderPage(request, reply, { title: `Set the access code of ${name}`, nav: navOf(c.page.access), status }, (csrf) => (
      <>
        <EventHeader access={c.page.access} event={c.page.event} current="participants" />
        <SetCodeForm action={`${c.back}/access-code/set`} cancel={`${c.back}#access-code`} name={name} errors={errors} csrf={csrf} />
      </>
    ));
  }

  app.get(`${codeBase}/set`, async (request, reply) => showSetForm(request, reply, await loadFor(request), {}));

  app.post(`${codeBase}/set`, { schema: { body: Type.Object({ code: Type.String({ maxLength: 200 }) }) } }, async (request, reply) => {
    const c = await loadFor(request);
    const { participant, page } = c;
    const personalWords = [participant.email.split('@')[0] ?? '', participant.firstName, participant.lastName, page.event.name, page.event.slug];
    const code = (request.body as { code: string }).code;
    try {
      await db.transaction().execute((trx) => setChosenCode(trx, app.deps, staffActor(request), page.access.org.id, page.event.id, participant.id, { code, personalWords }, 'organiser'));
    } catch (error) {
      const errors = formErrorsOf(error, {}, 'code');
      if (!errors) throw error;
      return showSetForm(request, reply, c, errors, 400);
    }
    return redirect(reply, `${c.back}?done=code_set#access-code`);
  });

  async function bulkTarget(request: FastifyRequest) {
    const page = await loadEmailPage(app, request, 'admin');
    const { cursor: _ignored, ...state } = listStateOf(request.query);
    return { page, state, query: participantQueryOf(state, null, page.fields) };
  }

  const count = async (page: EmailPage, query: ParticipantQuery) => (await listParticipants(db, dialect, page.access.org.id, page.event.id, { ...query, limit: 1 })).total;

  app.get(bulkPath, { schema: { querystring: ListQuery } }, async (request, reply) => {
    const { page, state, query } = await bulkTarget(request);
    const matching = await count(page, query);
    // Registered among the matches: the same filter narrowed to that status (none if the filter excludes it).
    const registered = query.statuses && !query.statuses.includes('registered') ? 0 : await count(page, { ...query, statuses: ['registered'] });
    const linked = await credentialsLinked(db, app.deps, page.access.org.id, page.event.id);
    return renderPage(request, reply, { title: 'Resend credentials', nav: navOf(page.access) }, (csrf) => (
      <BulkConfirm page={page} state={state} matching={matching} registered={registered} linked={linked} csrf={csrf} />
    ));
  });

  app.post(bulkPath, { schema: { querystring: ListQuery } }, async (request, reply) => {
    const { page, state, query } = await bulkTarget(request);
    const orgId = page.access.org.id;
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const batch = await listParticipantAddresses(db, dialect, orgId, page.event.id, { ...query, limit: 5_000, cursor });
      for (const p of batch.items) ids.push(p.id);
      cursor = batch.nextCursor ?? undefined;
    } while (cursor);
    const total: ResendResult = { codes: 0, setCodeLinks: 0, skipped: 0 };
    try {
      // Refuses before the first chunk queues anything when no template is linked.
      if (!(await credentialsLinked(db, app.deps, orgId, page.event.id))) throw new DomainError('template_not_linked', 'No credentials template');
      for (let i = 0; i < ids.length; i += BULK_CHUNK) {
        const r = await db.transaction().execute((trx) => resendCredentials(trx, app.deps, staffActor(request), orgId, page.event.id, ids.slice(i, i + BULK_CHUNK)));
        total.codes += r.codes;
        total.setCodeLinks += r.setCodeLinks;
        total.skipped += r.skipped;
      }
    } catch (error) {
      if (isNotLinked(error)) return notLinked(request, reply, page, listHref(`${page.eventBase}/participants`, state));
      throw error;
    }
    return redirect(reply, `${page.eventBase}/participants/resend-credentials/done?codes=${total.codes}&links=${total.setCodeLinks}&skipped=${total.skipped}`);
  });

  // Numbers only in the URL: a crafted link can show nothing but counts.
  app.get(`${bulkPath}/done`, { schema: { querystring: ResultQuery } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'admin');
    const q = request.query as { codes?: number; links?: number; skipped?: number };
    const text = resultText({ codes: q.codes ?? 0, setCodeLinks: q.links ?? 0, skipped: q.skipped ?? 0 });
    return renderPage(request, reply, { title: 'Credentials sent', nav: navOf(page.access) }, () => (
      <section>
        <EventHeader access={page.access} event={page.event} current="participants" />
        <h1>Resend credentials</h1>
        <p role="status" data-testid="bulk-result">
          {text}
        </p>
        <p>
          <a href={`${page.eventBase}/participants`}>Back to the participants</a>
        </p>
      </section>
    ));
  });
}
