import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { DomainError } from '../../lib/errors.js';
import { linkTemplate, listActionLinks, listTemplates, unlinkTemplate, type ActionLinks, type EmailTemplate } from '../../modules/emailing/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { loadEmailPage, type EmailPage } from './email-pages.js';
import { EventHeader } from './event-ui.js';
import { TYPE_LABELS } from './template-views.js';

// One select per action and level: `event:<action>` and `org:<action>`, a template id or ''.
const LinksBody = Type.Object({ _csrf: Type.String({ maxLength: 200 }) }, { additionalProperties: Type.String({ maxLength: 40 }) });

function TemplateSelect(props: { name: string; templates: EmailTemplate[]; selected: string | null; none: string; disabled: boolean }) {
  return (
    <select name={props.name} disabled={props.disabled} aria-label={props.name}>
      <option value="">{props.none}</option>
      {props.templates.map((t) => (
        <option value={t.id} selected={t.id === props.selected}>
          {`${t.name} (${TYPE_LABELS[t.type]}${t.eventId ? '' : ', organisation'})`}
        </option>
      ))}
    </select>
  );
}

function ActionsPage(props: { page: EmailPage; links: ActionLinks[]; templates: EmailTemplate[]; csrf: string; error: string | null }) {
  const { page, links, templates } = props;
  const admin = roleAtLeast(page.access.role, 'admin');
  const path = `${page.eventBase}/emails`;
  return (
    <section>
      <EventHeader access={page.access} event={page.event} current="emails" />
      <p class="muted">
        <a href={path}>Email templates</a> › Templates for actions
      </p>
      <h1>Templates for actions</h1>
      <p class="muted">
        When Tessera sends an email by itself (resending credentials, verifying an address...), it uses the template linked to that action: this
        event's own link if set, otherwise the organisation's default. An action with neither sends nothing and says so.
      </p>
      {props.error && (
        <p class="error-text" role="alert">
          {props.error}
        </p>
      )}
      {links.length === 0 ? (
        <p class="muted">No action sends email yet.</p>
      ) : (
        <form method="post" action={`${path}/actions`}>
          <CsrfField csrf={props.csrf} />
          <table>
            <thead>
              <tr>
                <th>Action</th>
                <th>This event</th>
                <th>Organisation default</th>
              </tr>
            </thead>
            <tbody>
              {links.map(({ action, eventTemplateId, orgTemplateId }) => {
                const fitting = templates.filter((t) => action.types.includes(t.type));
                return (
                  <tr>
                    <td>
                      {action.description}
                      <br />
                      <span class="muted">
                        <code>{action.name}</code> · {action.types.map((t) => TYPE_LABELS[t]).join(' or ')}
                      </span>
                    </td>
                    <td>
                      <TemplateSelect name={`event:${action.name}`} templates={fitting} selected={eventTemplateId} none="Organisation default" disabled={!admin} />
                    </td>
                    <td>
                      <TemplateSelect name={`org:${action.name}`} templates={fitting.filter((t) => t.eventId === null)} selected={orgTemplateId} none="None" disabled={!admin} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {admin && <button type="submit">Save links</button>}
        </form>
      )}
    </section>
  );
}

/** Which template each action sends, for this event and as the organisation's default. */
export async function emailActionsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const path = '/admin/o/:orgId/events/:eventId/emails/actions';

  async function show(request: FastifyRequest, reply: FastifyReply, page: EmailPage, error: string | null = null, status = 200) {
    const links = await listActionLinks(db, page.access.org.id, page.event.id);
    const templates = await listTemplates(db, page.access.org.id, { eventId: page.event.id });
    return renderPage(request, reply, { title: 'Templates for actions', nav: navOf(page.access), status }, (csrf) => (
      <ActionsPage page={page} links={links} templates={templates} csrf={csrf} error={error} />
    ));
  }

  app.get(path, async (request, reply) => show(request, reply, await loadEmailPage(app, request, 'staff')));

  app.post(path, { schema: { body: LinksBody } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'admin');
    const body = request.body as Record<string, string>;
    const orgId = page.access.org.id;
    const actor = staffActor(request);
    try {
      await db.transaction().execute(async (trx) => {
        for (const { action, eventTemplateId, orgTemplateId } of await listActionLinks(trx, orgId, page.event.id)) {
          const levels: Array<[string | null, string | null, string | undefined]> = [
            [page.event.id, eventTemplateId, body[`event:${action.name}`]],
            [null, orgTemplateId, body[`org:${action.name}`]],
          ];
          for (const [eventId, current, wanted] of levels) {
            // A select the form did not carry (an action registered since the page was shown) stays as it is.
            if (wanted === undefined || wanted === (current ?? '')) continue;
            if (wanted === '') await unlinkTemplate(trx, app.deps, actor, orgId, eventId, action.name);
            else await linkTemplate(trx, app.deps, actor, orgId, eventId, action.name, wanted);
          }
        }
      });
    } catch (error) {
      if (!(error instanceof DomainError) || (error.code !== 'validation_failed' && error.code !== 'not_found')) throw error;
      return show(request, reply, page, `Nothing was saved: ${error.message}`, 400);
    }
    return redirect(reply, `${page.eventBase}/emails/actions?done=saved`);
  });
}
