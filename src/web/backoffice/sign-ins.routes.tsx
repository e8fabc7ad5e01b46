import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { neutraliseCell } from '../../lib/csv-safety.js';
import { attendeesNeverSignedIn, loginMetrics } from '../../modules/access-codes/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { renderPage } from '../page.js';
import { navOf } from './components.js';
import { loadEmailPage } from './email-pages.js';
import { EventHeader } from './event-ui.js';
import { NeverSignedIn, SignInTable } from './sign-in-views.js';

const PAGE_SIZE = 50;
// A campaign's explicit selection travels in the new-campaign link (ids=...): about 30 characters
// each, so a few hundred stay well under what browsers and proxies accept in a URL.
const CAMPAIGN_LINK_MAX = 300;
const CSV_PAGE = 500;

function csvLine(values: string[]): string {
  return values.map((v) => `"${neutraliseCell(v).replaceAll('"', '""')}"`).join(',') + '\r\n';
}

/**
 * Sign-in metrics of an event's web app: sign-ins per day by method, how many registered
 * attendees ever signed in, and who never did (page, CSV, campaign). Staff and up.
 */
export async function signInsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const path = '/admin/o/:orgId/events/:eventId/sign-ins';

  app.get(path, { schema: { querystring: Type.Object({ offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })) }) } }, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'staff');
    const orgId = page.access.org.id;
    const offset = (request.query as { offset?: number }).offset ?? 0;
    const [metrics, never] = await Promise.all([loginMetrics(db, orgId, page.event.id), attendeesNeverSignedIn(db, orgId, page.event.id, { limit: PAGE_SIZE, offset })]);
    let campaignHref: string | null = null;
    if (roleAtLeast(page.access.role, 'admin') && never.total > 0 && never.total <= CAMPAIGN_LINK_MAX) {
      const all = never.total <= PAGE_SIZE && offset === 0 ? never : await attendeesNeverSignedIn(db, orgId, page.event.id, { limit: CAMPAIGN_LINK_MAX, offset: 0 });
      const params = new URLSearchParams();
      for (const p of all.items) params.append('ids', p.id);
      campaignHref = `${page.eventBase}/campaigns/new?${params.toString()}`;
    }
    const percent = metrics.registered > 0 ? Math.round((metrics.distinctAttendees / metrics.registered) * 100) : 0;
    const self = `${page.eventBase}/sign-ins`;
    return renderPage(request, reply, { title: `Sign-ins · ${page.event.name}`, nav: navOf(page.access) }, () => (
      <section>
        <EventHeader access={page.access} event={page.event} current="sign-ins" />
        <h1>App sign-ins</h1>
        <p data-testid="sign-in-summary">
          <b>{metrics.distinctAttendees}</b> {metrics.distinctAttendees === 1 ? 'attendee has' : 'attendees have'} signed in to the app, out of{' '}
          <b>{metrics.registered}</b> registered ({percent}%).
        </p>
        <SignInTable metrics={metrics} />
        <NeverSignedIn
          page={never}
          offset={offset}
          pageSize={PAGE_SIZE}
          path={self}
          csvHref={`${self}/never-signed-in.csv`}
          campaignHref={campaignHref}
          timeZone={page.event.timeZone}
        />
      </section>
    ));
  });

  app.get(`${path}/never-signed-in.csv`, async (request, reply) => {
    const page = await loadEmailPage(app, request, 'staff');
    let csv = csvLine(['email', 'first_name', 'last_name', 'registered_at', 'participant_id']);
    for (let offset = 0; ; offset += CSV_PAGE) {
      const batch = await attendeesNeverSignedIn(db, page.access.org.id, page.event.id, { limit: CSV_PAGE, offset });
      for (const p of batch.items) csv += csvLine([p.email, p.firstName, p.lastName, p.registeredAt ?? '', p.id]);
      if (batch.items.length < CSV_PAGE) break;
    }
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${page.event.slug}-never-signed-in.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });
}
