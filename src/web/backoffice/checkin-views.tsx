import type { OrgAccess } from '../../http/staff-session.js';
import type { CheckInConflict, CheckInOutcome, CheckInResult, CheckInStats, EventSession } from '../../modules/checkin/index.js';
import type { Event } from '../../modules/events/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { CsrfField } from '../layout.js';
import { ErrorSummary, EventHeader, FieldError, eventPath, type FormErrors } from './event-ui.js';
import { formatInZone } from './event-time.js';

export const SCANNER_SCRIPT_PATH = '/static/checkin-scanner.js';

/** The words a door steward reads at a glance; the class gives the colour. */
const HEADLINES: Record<CheckInResult, string> = {
  admitted: 'Admitted',
  already_checked_in: 'Already checked in',
  cancelled: 'Cancelled',
  wrong_event: 'Wrong event',
  revoked: 'Revoked code',
  forged: 'Not a valid code',
  unknown: 'Unknown code',
};

const ADVICE: Record<CheckInResult, string> = {
  admitted: 'Let them in.',
  already_checked_in: 'This code was already used here: check the person’s identity.',
  cancelled: 'Their registration is cancelled: send them to the help desk.',
  wrong_event: 'This code is for another event.',
  revoked: 'An older code that was replaced: ask for their current code (email or app).',
  forged: 'This is not a Tessera code for this organisation.',
  unknown: 'Signed, but nobody in this event holds it: send them to the help desk.',
};

function timeInZone(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  } catch {
    return iso;
  }
}

export function pointLabel(sessions: EventSession[], sessionId: string | null): string {
  const session = sessionId ? sessions.find((s) => s.id === sessionId) : undefined;
  if (!session) return 'Entrance';
  return session.room ? `${session.title} (${session.room})` : session.title;
}

/**
 * The result of a scan, large and coloured. Only what the door needs: name, status and the
 * attention note. Never an email address or a custom field (a test holds this page to it).
 */
export function ScanResult({ outcome, timeZone }: { outcome: CheckInOutcome; timeZone: string }) {
  const { result, person } = outcome;
  const headline =
    result === 'already_checked_in' && outcome.firstAdmittedAt ? `Already checked in at ${timeInZone(outcome.firstAdmittedAt, timeZone)}` : HEADLINES[result];
  const tone = result === 'admitted' ? 'ok' : result === 'already_checked_in' ? 'warn' : 'bad';
  return (
    <section class={`scan-result scan-${tone}`} data-result={result}>
      <p class="scan-verdict">{headline}</p>
      {person && <p class="scan-name">{person.displayName || 'Name not given'}</p>}
      {person && person.status !== 'registered' && <p class="scan-detail">Status: {person.status}</p>}
      {person?.attentionNote && (
        <p class="scan-note">
          <b>Attention:</b> {person.attentionNote}
        </p>
      )}
      <p class="scan-detail">
        {ADVICE[result]}
        {result === 'already_checked_in' && outcome.firstAdmittedAt && ` First scan: ${formatInZone(outcome.firstAdmittedAt, timeZone)}.`}
      </p>
    </section>
  );
}

export interface ScannerProps {
  access: OrgAccess;
  event: Event;
  csrf: string;
  sessions: EventSession[];
  sessionId: string | null;
  nonce: string;
  outcome: CheckInOutcome | null;
  jsqrPath: string;
}

/**
 * The scanner page: a plain form that works without JavaScript (type or paste the code, or use a
 * handheld scanner that types it), enhanced with the camera when the browser allows.
 */
export function ScannerPage({ access, event, csrf, sessions, sessionId, nonce, outcome, jsqrPath }: ScannerProps) {
  const base = eventPath(access.org.id, event.id);
  return (
    <section class="scanner">
      <EventHeader access={access} event={event} current="scan" />
      <h1>Check-in · {pointLabel(sessions, sessionId)}</h1>
      {sessions.length > 0 && (
        <form method="get" action={`${base}/scan`} class="toolbar">
          <label>
            Check-in point
            <select name="session">
              <option value="">Entrance</option>
              {sessions.map((s) => (
                <option value={s.id} selected={s.id === sessionId}>
                  {pointLabel(sessions, s.id)} · {formatInZone(s.startsAt, event.timeZone)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="secondary">
            Change
          </button>
        </form>
      )}
      <div id="scan-result" aria-live="assertive">
        {outcome ? <ScanResult outcome={outcome} timeZone={event.timeZone} /> : <p class="muted">Scan a code, or type it below.</p>}
      </div>
      <div id="checkin-camera" class="card" hidden data-jsqr={jsqrPath}>
        <button type="button" data-start>
          Start camera
        </button>
        <video data-video playsinline muted hidden></video>
        <p class="muted" data-status></p>
      </div>
      <form method="post" action={`${base}/scan`} id="scan-form" class="card">
        <CsrfField csrf={csrf} />
        <input type="hidden" name="nonce" value={nonce} />
        <input type="hidden" name="session" value={sessionId ?? ''} />
        <label>
          Code
          <input name="code" required maxLength={300} autocomplete="off" autocapitalize="characters" spellcheck={false} autofocus />
        </label>
        <button type="submit">Check in</button>
      </form>
      <script src={SCANNER_SCRIPT_PATH} defer></script>
    </section>
  );
}

function Conflicts({ conflicts, sessions, timeZone }: { conflicts: CheckInConflict[]; sessions: EventSession[]; timeZone: string }) {
  if (conflicts.length === 0) return <p class="muted">No conflicts.</p>;
  return (
    <table class="conflicts">
      <thead>
        <tr>
          <th>Person</th>
          <th>Where</th>
          <th>What happened</th>
          <th>Scan uploaded</th>
          <th>First admission</th>
        </tr>
      </thead>
      <tbody>
        {conflicts.map((c) => (
          <tr>
            <td>{c.person?.displayName ?? <span class="muted">(code refused: {c.checkin.result})</span>}</td>
            <td>{pointLabel(sessions, c.sessionId)}</td>
            <td>{c.kind === 'double_admission' ? 'Admitted offline by two devices' : `Admitted offline, refused by the server (${c.checkin.result})`}</td>
            <td>
              {c.checkin.deviceId} at {formatInZone(c.checkin.scannedAt, timeZone)}
            </td>
            <td>{c.first ? `${c.first.deviceId} at ${formatInZone(c.first.scannedAt, timeZone)}${c.first.offline ? ' (offline)' : ''}` : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DashboardPage({ access, event, stats, conflicts, sessions }: { access: OrgAccess; event: Event; stats: CheckInStats; conflicts: CheckInConflict[]; sessions: EventSession[] }) {
  const base = eventPath(access.org.id, event.id);
  const peak = Math.max(1, ...stats.buckets.map((b) => b.total));
  const refused = Object.entries(stats.scans).filter(([result]) => result !== 'admitted');
  return (
    <section>
      <EventHeader access={access} event={event} current="check-in" />
      <div class="toolbar spread">
        <h1>Check-in</h1>
        <span>
          <a class="button" href={`${base}/scan`}>
            Open the scanner
          </a>{' '}
          <a class="button secondary" href={`${base}/sessions`}>
            Sessions
          </a>
        </span>
      </div>
      <ul class="stats">
        {stats.points.map((p) => (
          <li class="stat card">
            <b>{p.admitted}</b> {p.label}
          </li>
        ))}
        <li class="stat card">
          <b>{stats.conflicts}</b> conflicts
        </li>
      </ul>
      <h2>Admissions per {stats.bucketMinutes} minutes</h2>
      {stats.buckets.length === 0 ? (
        <p class="muted">Nobody checked in yet.</p>
      ) : (
        <table class="checkin-times">
          <thead>
            <tr>
              <th>From</th>
              {stats.points.map((p) => (
                <th>{p.label}</th>
              ))}
              <th>All</th>
            </tr>
          </thead>
          <tbody>
            {stats.buckets.map((b) => (
              <tr>
                <td>{formatInZone(b.startsAt, event.timeZone)}</td>
                {b.counts.map((n) => (
                  <td>{n}</td>
                ))}
                <td>
                  <meter min={0} max={peak} value={b.total}></meter> {b.total}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">Times are in the event's time zone ({event.timeZone}). A person counts once per check-in point.</p>
      <h2>Refused and repeated scans</h2>
      {refused.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <dl class="fields">
          {refused.map(([result, n]) => (
            <>
              <dt>{HEADLINES[result as CheckInResult]}</dt>
              <dd>{n}</dd>
            </>
          ))}
        </dl>
      )}
      <h2>Conflicts</h2>
      <p class="muted">Admissions made offline that the server could not honour. They are kept for review, never dropped.</p>
      <Conflicts conflicts={conflicts} sessions={sessions} timeZone={event.timeZone} />
      {roleAtLeast(access.role, 'staff') && (
        <p class="muted">Attention notes (shown at the door) are set on each participant's page.</p>
      )}
    </section>
  );
}

export function AttentionNotePage(props: { access: OrgAccess; event: Event; csrf: string; participantId: string; name: string; note: string; max: number; errors: FormErrors }) {
  const { access, event } = props;
  const participant = `${eventPath(access.org.id, event.id)}/participants/${props.participantId}`;
  return (
    <section>
      <EventHeader access={access} event={event} current="participants" />
      <h1>Attention note for {props.name}</h1>
      <form method="post" action={`${participant}/attention-note`} class="card">
        <ErrorSummary errors={props.errors} />
        <CsrfField csrf={props.csrf} />
        <label>
          Note <span class="muted">(shown on the scanner when they are checked in, and sent to offline scanner devices; at most {props.max} characters; empty removes it)</span>
          <textarea name="note" rows={3} maxLength={props.max}>
            {props.note}
          </textarea>
          <FieldError errors={props.errors} name="note" />
        </label>
        <p class="muted">Write for the door: “Wheelchair user: side entrance”, “Speaker: send to the green room”. Not for private remarks.</p>
        <button type="submit">Save</button> <a href={participant}>Cancel</a>
      </form>
    </section>
  );
}
