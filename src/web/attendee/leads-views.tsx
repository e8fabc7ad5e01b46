import type { CustomField } from '../../modules/custom-fields/index.js';
import type { Card, CardField, CardSettings, CollectedCard, Collector } from '../../modules/leads/index.js';
import type { Participant } from '../../modules/participants/index.js';
import { formatInZone } from '../backoffice/event-time.js';
import { countryName } from '../backoffice/participant-form.js';
import { CsrfField } from '../layout.js';

export function cardValue(field: Pick<CardField, 'type' | 'value'>): string {
  const { value } = field;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.join(', ');
  return field.type === 'country' ? countryName(value) : value;
}

/** A card exactly as another attendee sees it. */
export function CardView({ card, testId }: { card: Card; testId?: string }) {
  return (
    <dl class="fields" data-testid={testId}>
      <dt>Name</dt>
      <dd data-testid="card-name">{card.name}</dd>
      {card.email && (
        <>
          <dt>Email</dt>
          <dd>{card.email}</dd>
        </>
      )}
      {card.fields.map((field) => (
        <>
          <dt>{field.label}</dt>
          <dd>{cardValue(field)}</dd>
        </>
      ))}
    </dl>
  );
}

function ReadOnlyNote({ readOnly }: { readOnly: boolean }) {
  if (!readOnly) return null;
  return (
    <p class="flash" role="status">
      Read-only: a staff preview cannot collect cards or change settings.
    </p>
  );
}

function CardsMenu({ base }: { base: string }) {
  return (
    <p class="tabs">
      <a href={`${base}/leads`}>Exchange cards</a> <a href={`${base}/my-card`}>My card</a> <a href={`${base}/cards`}>Collected cards</a>
    </p>
  );
}

export interface ExchangeProps {
  base: string;
  csrf: string;
  typed: string;
  error?: string | undefined;
  /** The card just collected (after the redirect), if it is one of mine. */
  got?: { card: CollectedCard; created: boolean } | undefined;
  readOnly: boolean;
  jsqrUrl: string;
}

/**
 * Scan with the camera (public/lead-scanner.js, only when the browser can) or type the lead id:
 * the form is a plain POST and works without JavaScript. The script sends the lead id only,
 * never the whole QR text.
 */
export function ExchangePage({ base, csrf, typed, error, got, readOnly, jsqrUrl }: ExchangeProps) {
  return (
    <section>
      <h1>Exchange cards</h1>
      <CardsMenu base={base} />
      <ReadOnlyNote readOnly={readOnly} />
      {got && (
        <div class="card" role="status" data-testid="collected">
          <h2>{got.created ? 'Card collected' : 'You already have this card'}</h2>
          <CardView card={got.card.card} />
          <p>
            <a href={`${base}/cards`}>All my collected cards</a>
          </p>
        </div>
      )}
      <div id="lead-scanner" class="card" hidden data-post={`${base}/leads`} data-done={`${base}/leads?got=`} data-csrf={csrf} data-jsqr={jsqrUrl}>
        <h2>Scan a badge</h2>
        <p class="muted">Point the camera at the QR code on another attendee's badge or in their app. Only their lead id is sent.</p>
        <video playsinline muted width="320" height="240" hidden data-video></video>
        <p data-status role="status" aria-live="polite"></p>
        <button type="button" data-start disabled={readOnly}>
          Start the camera
        </button>
      </div>
      <form method="post" action={`${base}/leads`} class="card" data-testid="lead-form">
        <h2>Enter a lead id</h2>
        <p class="muted">No camera? Ask the other attendee for the lead id on their "My card" page, like ABCD-2345. Capitals and dashes do not matter.</p>
        {error && (
          <p class="error-text" role="alert" data-testid="lead-error">
            {error}
          </p>
        )}
        <CsrfField csrf={csrf} />
        <fieldset disabled={readOnly}>
          <label>
            Lead id
            <input name="leadId" value={typed} required maxLength={40} autocomplete="off" spellcheck={false} autocapitalize="characters" />
          </label>
          <button type="submit">Collect this card</button>
        </fieldset>
      </form>
      <script src="/static/lead-scanner.js" defer></script>
    </section>
  );
}

export interface MyCardProps {
  base: string;
  csrf: string;
  /** XXXX-XXXX, or null while the QR codes module has not given this attendee one. */
  leadId: string | null;
  participant: Participant;
  fields: CustomField[];
  settings: CardSettings;
  preview: Card;
  collectors: Collector[];
  timeZone: string;
  saved: boolean;
  error?: string | undefined;
  readOnly: boolean;
}

export function MyCardPage({ base, csrf, leadId, participant, fields, settings, preview, collectors, timeZone, saved, error, readOnly }: MyCardProps) {
  const shared = new Set(settings.fields);
  return (
    <section>
      <h1>My card</h1>
      <CardsMenu base={base} />
      <ReadOnlyNote readOnly={readOnly} />
      {saved && (
        <p class="flash" role="status">
          Saved: your card now shares what is ticked below.
        </p>
      )}
      <div class="card">
        <h2>My lead id</h2>
        <p class="count" data-testid="my-lead-id">
          {leadId ?? '—'}
        </p>
        <p class="muted">Other attendees collect your card by scanning the QR code on your badge (or in "My QR code") or by typing this id. It cannot be used to check in.</p>
      </div>
      <form method="post" action={`${base}/my-card`} class="card" data-testid="card-settings">
        <h2>What my card shares</h2>
        <p class="muted">
          Your name is always on it. What you untick disappears from the cards other attendees already collected too: they see what you share now, not what you shared then.
        </p>
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <CsrfField csrf={csrf} />
        <fieldset disabled={readOnly}>
          <label>
            <input type="checkbox" checked disabled /> Name ({preview.name})
          </label>
          <label>
            <input type="checkbox" name="share_email" value="1" checked={settings.email} /> Email ({participant.email})
          </label>
          {fields.map((field) => (
            <label>
              <input type="checkbox" name="share" value={field.key} checked={shared.has(field.key)} /> {field.label}
              {participant.fields[field.key] === undefined ? <span class="muted"> (empty)</span> : ` (${cardValue({ type: field.type, value: participant.fields[field.key]! })})`}
            </label>
          ))}
          <button type="submit">Save</button>
        </fieldset>
      </form>
      <div class="card">
        <h2>What others see</h2>
        <CardView card={preview} testId="my-card-preview" />
      </div>
      <h2>Who collected my card</h2>
      {collectors.length === 0 ? (
        <p class="muted" data-testid="collectors">
          Nobody yet.
        </p>
      ) : (
        <ul data-testid="collectors">
          {collectors.map((c) => (
            <li>
              {c.name} <span class="muted">{formatInZone(c.collectedAt, timeZone)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function CollectedPage({ base, csrf, cards, timeZone, readOnly }: { base: string; csrf: string; cards: CollectedCard[]; timeZone: string; readOnly: boolean }) {
  return (
    <section>
      <h1>Collected cards</h1>
      <CardsMenu base={base} />
      <p>
        {cards.length === 1 ? '1 card' : `${cards.length} cards`}
        {cards.length > 0 && (
          <>
            {' · '}
            <a href={`${base}/cards.csv`} download>
              Download as CSV
            </a>
          </>
        )}
      </p>
      {cards.length === 0 && <p class="muted">No cards yet: scan a badge or enter a lead id on "Exchange cards".</p>}
      <div data-testid="collected-cards">
        {cards.map((c) => (
          <div class="card" id={`card-${c.exchangeId}`}>
            <CardView card={c.card} />
            <p class="muted">Collected {formatInZone(c.collectedAt, timeZone)}</p>
            <form method="post" action={`${base}/cards/${c.exchangeId}/note`}>
              <CsrfField csrf={csrf} />
              <fieldset disabled={readOnly}>
                <label>
                  My note <span class="muted">(only you see it)</span>
                  <textarea name="note" maxLength={2000} rows={2}>
                    {`\n${c.note}`}
                  </textarea>
                </label>
                <button type="submit">Save note</button>
              </fieldset>
            </form>
          </div>
        ))}
      </div>
    </section>
  );
}
