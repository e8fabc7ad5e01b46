import type { FastifyInstance } from 'fastify';
import { leadIdOf, qrSvg, qrTextFor } from '../../modules/qr-codes/index.js';
import { redirect } from '../page.js';
import { appContext, eventIdOf, renderAppPage, signInPath } from './app.routes.js';

interface QrCodePageProps {
  base: string;
  /** Null for a staff preview: staff never see an attendee's code. */
  code: { text: string; svg: string; leadId: string } | null;
}

function QrCodePage({ base, code }: QrCodePageProps) {
  return (
    <section class="narrow">
      <h1>My QR code</h1>
      {code ? (
        <>
          <p>Show this code at the entrance and at sessions. It is yours alone: do not post or share a picture of it.</p>
          {/* The SVG comes from the qrcode library drawing our own code text: paths only, no attendee data. */}
          <div class="qr-code" data-testid="qr-svg" role="img" aria-label="Your personal QR code" dangerouslySetInnerHTML={{ __html: code.svg }} />
          <p class="muted">If the scanner cannot read it, staff can type this text:</p>
          <p>
            <code class="qr-text" data-testid="qr-text">
              {code.text}
            </code>
          </p>
          <p>
            Your card id for exchanging contacts: <strong>{code.leadId}</strong> (not a ticket: it lets people ask for your card).
          </p>
          <p class="muted">Think someone copied your code? Ask the organisers for a new one: the old one stops working at once.</p>
        </>
      ) : (
        <p class="flash" role="status" data-testid="qr-hidden">
          A staff preview does not show the attendee's QR code: it is theirs alone.
        </p>
      )}
      <p>
        <a href={base}>Back</a>
      </p>
    </section>
  );
}

/** "My QR code" in the web app: the signed-in attendee's own code, never cached, never anyone else's. */
export async function qrCodeRoutes(app: FastifyInstance): Promise<void> {
  const { db, keys } = app.deps;

  app.get('/app/:eventId/qr-code', async (request, reply) => {
    const c = await appContext(app, request, reply);
    if (!c) return redirect(reply, signInPath(eventIdOf(request)));
    let code: QrCodePageProps['code'] = null;
    if (c.session.kind !== 'preview') {
      const text = await qrTextFor(db, app.deps, keys, c.session.orgId, c.event.id, c.participant.id);
      const leadId = await leadIdOf(db, app.deps, c.session.orgId, c.event.id, c.participant.id);
      code = { text, svg: await qrSvg(text), leadId };
    }
    return renderAppPage(request, reply, c, { title: 'My QR code' }, () => <QrCodePage base={c.base} code={code} />);
  });
}
