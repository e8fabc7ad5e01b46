import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import type { CredentialPurpose } from '../../modules/credentials/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { CREDENTIAL_PURPOSES, countActiveLinks, publicPageUrl, revokeEventLinks } from '../../modules/personal-links/index.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { EventHeader, eventPath, paramsOf } from './event-ui.js';
import { PURPOSE_LABELS } from './participant-links.js';

/** The addresses anyone may be given: they identify nobody and open nothing personal. */
export function genericLinks(publicUrl: URL, event: Event): Array<{ label: string; url: string; note: string }> {
  return [
    { label: 'Event site', url: publicPageUrl(publicUrl, `/e/${event.id}`), note: 'The public page of the event.' },
    {
      label: 'Public registration',
      url: publicPageUrl(publicUrl, `/e/${event.id}/register`),
      note: event.registrationOpen
        ? 'Anyone can register here. Someone already known gets the same answer and an email with their own link.'
        : 'Registration is closed in the event settings: the page says so.',
    },
    { label: 'Web app sign-in', url: publicPageUrl(publicUrl, `/app/${event.id}/sign-in`), note: 'Attendees sign in with their email: a sign-in link is emailed to them.' },
  ];
}

const MERGE_TAGS: Array<[string, string]> = [
  ['{{ webapp_link }}', 'opens the attendee web app as the recipient'],
  ['{{ registration_link }}', "the recipient's secure registration form (for imported participants)"],
  ['{{ update_link }}', "the recipient's secure form to update their data"],
  ['{{ rsvp_link }}', 'accept or decline the invitation'],
];

const PurposeQuery = Type.Object({ purpose: Type.Union(CREDENTIAL_PURPOSES.map((p) => Type.Literal(p))) });
const RevokeBody = PurposeQuery;

function LinksPanel({ access, event, publicUrl, counts }: { access: OrgAccess; event: Event; publicUrl: URL; counts: Map<CredentialPurpose, number> }) {
  const base = `${eventPath(access.org.id, event.id)}/links`;
  const admin = roleAtLeast(access.role, 'admin');
  return (
    <section>
      <EventHeader access={access} event={event} current="links" />
      <h1>Links</h1>
      <h2>Generic links: share them anywhere</h2>
      <p>These addresses are the same for everyone. Put them on your website, social media or a poster; they identify nobody.</p>
      <table class="generic-links">
        <tbody>
          {genericLinks(publicUrl, event).map((link) => (
            <tr>
              <th scope="row">{link.label}</th>
              <td>
                <input type="text" readonly value={link.url} aria-label={link.label} size={60} />
                <br />
                <small class="muted">{link.note}</small>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Personal links: sent to their owner only</h2>
      <p>
        A personal link lets whoever holds it act as one participant, so it is never shown here, never copied and never exported. Tessera does not
        even keep it: only its fingerprint is stored. Each one is created when an email is sent, for that recipient and that email, through these
        merge tags in your email templates:
      </p>
      <ul>
        {MERGE_TAGS.map(([tag, what]) => (
          <li>
            <code>{tag}</code>: {what}
          </li>
        ))}
      </ul>
      <p>To see a participant's links (when they were sent, used, or fetched by a mail scanner) and revoke them, open the participant's page.</p>
      <h2>Active personal links</h2>
      {counts.size === 0 ? (
        <p class="muted">No active personal link in this event.</p>
      ) : (
        <table class="link-counts">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Active</th>
              {admin && <th></th>}
            </tr>
          </thead>
          <tbody>
            {CREDENTIAL_PURPOSES.filter((purpose) => counts.has(purpose)).map((purpose) => (
              <tr data-purpose={purpose}>
                <td>{PURPOSE_LABELS[purpose]}</td>
                <td>{counts.get(purpose)}</td>
                {admin && (
                  <td>
                    <a class="button secondary" href={`${base}/revoke?purpose=${purpose}`}>
                      Revoke all {PURPOSE_LABELS[purpose]} links…
                    </a>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ConfirmRevoke({ access, event, purpose, count, csrf }: { access: OrgAccess; event: Event; purpose: CredentialPurpose; count: number; csrf: string }) {
  const base = `${eventPath(access.org.id, event.id)}/links`;
  const label = PURPOSE_LABELS[purpose];
  return (
    <section>
      <EventHeader access={access} event={event} current="links" />
      <h1>Revoke all {label} links?</h1>
      <p>
        The <b>{count}</b> active {label} links of {event.name} stop working at once, and anyone using the app through one of them is signed out on
        their next page. Their owners can ask for a fresh link from the page of the dead link, or you can send a new email.
      </p>
      <form method="post" action={`${base}/revoke`}>
        <input type="hidden" name="_csrf" value={csrf} />
        <input type="hidden" name="purpose" value={purpose} />
        <button type="submit" class="danger">
          Revoke {count} {label} links
        </button>{' '}
        <a href={base}>Cancel</a>
      </form>
    </section>
  );
}

/** The event's "Links" panel: generic links to share, personal links explained, counted and revocable. */
export async function eventLinksRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.deps;
  const base = '/admin/o/:orgId/events/:eventId/links';

  async function load(request: FastifyRequest, minimum: 'staff' | 'admin') {
    const { orgId, eventId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, minimum);
    const event = await getEvent(db, access.org.id, eventId!);
    return { access, event };
  }

  app.get(base, async (request, reply) => {
    const { access, event } = await load(request, 'staff');
    const counts = await countActiveLinks(db, app.deps, access.org.id, event.id);
    return renderPage(request, reply, { title: `Links · ${event.name}`, nav: navOf(access) }, () => (
      <LinksPanel access={access} event={event} publicUrl={config.publicUrl} counts={counts} />
    ));
  });

  // The confirmation step is a page of its own: the GET changes nothing, the POST revokes.
  app.get(`${base}/revoke`, { schema: { querystring: PurposeQuery } }, async (request, reply) => {
    const { access, event } = await load(request, 'admin');
    const { purpose } = request.query as Static<typeof PurposeQuery>;
    const count = (await countActiveLinks(db, app.deps, access.org.id, event.id)).get(purpose) ?? 0;
    return renderPage(request, reply, { title: `Revoke ${PURPOSE_LABELS[purpose]} links · ${event.name}`, nav: navOf(access) }, (csrf) => (
      <ConfirmRevoke access={access} event={event} purpose={purpose} count={count} csrf={csrf} />
    ));
  });

  app.post(base + '/revoke', { schema: { body: RevokeBody } }, async (request, reply) => {
    const { access, event } = await load(request, 'admin');
    const { purpose } = request.body as Static<typeof RevokeBody>;
    await db.transaction().execute((trx) => revokeEventLinks(trx, app.deps, staffActor(request), access.org.id, event.id, purpose));
    return redirect(reply, `${eventPath(access.org.id, event.id)}/links?done=revoked`);
  });
}
