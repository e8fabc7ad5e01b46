import type { BoothLead } from '../../modules/sponsors/index.js';
import { CardView } from '../attendee/leads-views.js';
import { JSQR_PATH } from '../attendee/leads.routes.js';
import { formatInZone } from '../backoffice/event-time.js';
import { CsrfField } from '../layout.js';

export interface BoothProps {
  base: string;
  csrf: string;
  typed: string;
  error: string | null;
  got: { lead: BoothLead; created: boolean } | null;
  leads: BoothLead[];
  timeZone: string;
}

/**
 * Booth scanning: the camera (public/lead-scanner.js, shared with the attendees' card exchange:
 * it reads the badge's QR code and sends its lead id only) or a typed lead id, then the cards
 * collected so far, each showing only what its owner shares.
 */
export function BoothPage({ base, csrf, typed, error, got, leads, timeZone }: BoothProps) {
  return (
    <section class="booth">
      <h1>Booth scanning</h1>
      {got && (
        <div class="card" role="status" data-testid="booth-collected">
          <h2>{got.created ? 'Card collected' : 'Already collected'}</h2>
          <CardView card={got.lead.card} />
        </div>
      )}
      <div id="lead-scanner" class="card" hidden data-post={`${base}/leads`} data-done={`${base}/leads?got=`} data-csrf={csrf} data-jsqr={JSQR_PATH}>
        <h2>Scan a badge</h2>
        <p class="muted">Point the camera at the QR code on a visitor's badge or in their app. Only their lead id is sent.</p>
        <video playsinline muted width="320" height="240" hidden data-video></video>
        <p data-status role="status" aria-live="polite"></p>
        <button type="button" data-start>
          Start the camera
        </button>
      </div>
      <form method="post" action={`${base}/leads`} class="card" data-testid="booth-lead-form">
        <h2>Enter a lead id</h2>
        <p class="muted">No camera? Ask the visitor for the lead id on their "My card" page, like ABCD-2345.</p>
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <CsrfField csrf={csrf} />
        <label>
          Lead id
          <input name="leadId" value={typed} required maxLength={40} autocomplete="off" spellcheck={false} autocapitalize="characters" />
        </label>
        <button type="submit">Collect this card</button>
      </form>
      <h2>Collected at the booth ({leads.length})</h2>
      {leads.length === 0 ? (
        <p class="muted">No card yet.</p>
      ) : (
        <ul class="cards" data-testid="booth-leads">
          {leads.map((lead) => (
            <li>
              <CardView card={lead.card} />
              <small class="muted">{formatInZone(lead.collectedAt, timeZone)}</small>
            </li>
          ))}
        </ul>
      )}
      <script src="/static/lead-scanner.js" defer></script>
    </section>
  );
}
