import type { FastifyInstance, FastifyRequest } from 'fastify';
import { staffActor } from '../../http/actor.js';
import { requireOrg, type OrgAccess } from '../../http/staff-session.js';
import { roleAtLeast, type Role } from '../../modules/organisations/index.js';
import { getEvent, type Event } from '../../modules/events/index.js';
import { getParticipant, type Participant } from '../../modules/participants/index.js';
import { qrCodeStatus, rotateQr, type QrCodeStatus } from '../../modules/qr-codes/index.js';
import { CsrfField } from '../layout.js';
import { redirect, renderPage } from '../page.js';
import { navOf } from './components.js';
import { formatInZone } from './event-time.js';
import { EventHeader, eventPath, paramsOf } from './event-ui.js';
import { participantName } from './participant-page.js';

const qrPath = (orgId: string, eventId: string, participantId: string) => `${eventPath(orgId, eventId)}/participants/${participantId}/qr-code`;

/** Beside "Edit" on the participant page, for admins: the way to the rotation's confirmation. */
export function QrCodeButton({ orgId, eventId, participantId, role }: { orgId: string; eventId: string; participantId: string; role: Role }) {
  if (!roleAtLeast(role, 'admin')) return null;
  return (
    <a class="button secondary" href={qrPath(orgId, eventId, participantId)} data-testid="qr-rotate-link">
      Rotate QR code
    </a>
  );
}

interface QrPageProps {
  access: OrgAccess;
  event: Event;
  participant: Participant;
  status: QrCodeStatus | null;
  csrf: string;
  rotated: boolean;
}

/** The code itself is never shown here: staff see its version, and can only replace it. */
function QrCodeConfirm({ access, event, participant, status, csrf, rotated }: QrPageProps) {
  const back = `${eventPath(access.org.id, event.id)}/participants/${participant.id}`;
  return (
    <section>
      <EventHeader access={access} event={event} current="participants" />
      <h1>QR code of {participantName(participant)}</h1>
      {rotated && (
        <p class="flash" role="status" data-testid="qr-rotated">
          Rotated: earlier codes are refused at once online, and by offline scanners at their next sync. Send the attendee their new code (an email with the QR code, or the web app's "My QR code" page).
        </p>
      )}
      <dl class="fields">
        <dt>Version</dt>
        <dd data-testid="qr-version">{status ? status.version : 'none issued yet'}</dd>
        <dt>Last rotated</dt>
        <dd>{status?.rotatedAt ? formatInZone(status.rotatedAt, event.timeZone) : 'never'}</dd>
        <dt>Cancelled participants</dt>
        <dd class="muted">A cancelled participant's code is refused whatever its version.</dd>
      </dl>
      <form method="post" action={`${qrPath(access.org.id, event.id, participant.id)}/rotate`} class="card">
        <CsrfField csrf={csrf} />
        <p>
          <strong>Rotate the QR code?</strong> Every code issued so far (emails, printed badges, screenshots) stops working. Use it when a code was shared or a badge lost. Their card id for exchanging contacts stays the same.
        </p>
        <button type="submit" class="danger">
          Rotate QR code
        </button>{' '}
        <a href={back}>Cancel</a>
      </form>
    </section>
  );
}

/** Rotating a participant's QR code (admins): a confirmation page, then the rotation, audited. */
export async function qrCodeAdminRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const path = '/admin/o/:orgId/events/:eventId/participants/:participantId/qr-code';

  async function load(request: FastifyRequest) {
    const { orgId, eventId, participantId } = paramsOf(request);
    const access = await requireOrg(app, request, orgId!, 'admin');
    const event = await getEvent(db, access.org.id, eventId!);
    const participant = await getParticipant(db, access.org.id, event.id, participantId!);
    return { access, event, participant };
  }

  app.get(path, async (request, reply) => {
    const { access, event, participant } = await load(request);
    const status = await qrCodeStatus(db, access.org.id, event.id, participant.id);
    const rotated = (request.query as { done?: string }).done === 'rotated';
    return renderPage(request, reply, { title: `QR code of ${participantName(participant)}`, nav: navOf(access) }, (csrf) => (
      <QrCodeConfirm access={access} event={event} participant={participant} status={status} csrf={csrf} rotated={rotated} />
    ));
  });

  app.post(`${path}/rotate`, async (request, reply) => {
    const { access, event, participant } = await load(request);
    await db.transaction().execute((trx) => rotateQr(trx, app.deps, staffActor(request), access.org.id, event.id, participant.id));
    return redirect(reply, `${qrPath(access.org.id, event.id, participant.id)}?done=rotated`);
  });
}
