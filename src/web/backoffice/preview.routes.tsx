import type { FastifyInstance } from 'fastify';
import { staffActor } from '../../http/actor.js';
import { CREDENTIAL_PAGE_HEADERS } from '../../http/attendee-session.js';
import { requireOrg } from '../../http/staff-session.js';
import { linkInvalid, PREVIEW_MINUTES } from '../../modules/credentials/index.js';
import { getEvent } from '../../modules/events/index.js';
import { getParticipant } from '../../modules/participants/index.js';
import { createPreviewLink, PREVIEW_ROLE, previewAllowed, recordPreviewOpened } from '../../modules/webapp/index.js';
import { registerLinkPurpose } from '../attendee/link-purposes.js';
import { openAppSession } from '../attendee/webapp-link.js';
import { CsrfField } from '../layout.js';
import { redirect } from '../page.js';
import { paramsOf } from './event-ui.js';

export function previewPath(orgId: string, eventId: string, participantId: string): string {
  return `/admin/o/${orgId}/events/${eventId}/participants/${participantId}/preview`;
}

/** The button on the participant page (a POST: opening a preview mints a credential). */
export function PreviewButton({ orgId, eventId, participantId, csrf }: { orgId: string; eventId: string; participantId: string; csrf: string }) {
  return (
    <form method="post" action={previewPath(orgId, eventId, participantId)} class="inline">
      <CsrfField csrf={csrf} />
      <button type="submit" class="secondary" data-testid="preview-app">
        Open the app as this attendee
      </button>
    </form>
  );
}

// A staff preview link opens only for the staff member who asked for it, in the browser that
// holds their back-office session: anyone else (no session, a colleague, someone who lost the
// role) is told the link does not exist, and nothing is counted or used.
registerLinkPurpose({
  purpose: 'preview',
  label: 'staff preview link',
  authorize: (app, request, credential) => previewAllowed(app.deps.db, request.staff?.id, credential),
  landing: ({ event, shortName }) => ({
    heading: `Preview the app as ${shortName}`,
    text: `Opens the ${event?.name ?? 'event'} app as this attendee, read-only, for at most ${PREVIEW_MINUTES} minutes, in this browser. Your back-office session is not affected; the preview is written to the audit log under your name and theirs.`,
    button: `Open the app as ${shortName}`,
  }),
  async redeem(db, app, request, reply, credential) {
    const staff = request.staff;
    if (!staff || !credential.eventId) throw linkInvalid();
    await recordPreviewOpened(db, app.deps, staffActor(request), credential);
    // The preview lives in the attendee cookie; the staff cookie is left exactly as it was.
    return openAppSession(db, app, request, reply, {
      kind: 'preview',
      orgId: credential.orgId,
      eventId: credential.eventId,
      participantId: credential.subjectId,
      credentialId: credential.id,
      staffId: staff.id,
    });
  },
  renewal: (credential) => ({
    href: `/admin/o/${credential.orgId}/events/${credential.eventId ?? ''}/participants/${credential.subjectId}`,
    text: `Preview links work once, within ${PREVIEW_MINUTES} minutes. Open a new preview from the participant's page.`,
    button: "Back to the participant's page",
  }),
});

/** "Access the app as": staff and up (not scanners) open the attendee's app in a preview session. */
export async function previewRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  app.post('/admin/o/:orgId/events/:eventId/participants/:participantId/preview', async (request, reply) => {
    const { orgId, eventId, participantId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, PREVIEW_ROLE);
    const event = await getEvent(db, access.org.id, eventId!);
    const participant = await getParticipant(db, access.org.id, event.id, participantId!);
    const token = await createPreviewLink(db, app.deps, { ...staffActor(request), id: access.staff.id }, event, participant);
    // Straight to the link's own landing page: the token is in this redirect and nowhere else.
    reply.headers(CREDENTIAL_PAGE_HEADERS);
    return redirect(reply, `/l/${token}`);
  });
}
