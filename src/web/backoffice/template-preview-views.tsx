import type { Preview } from '../../modules/emailing/index.js';
import type { Participant } from '../../modules/participants/index.js';
import { CsrfField } from '../layout.js';

export function participantLabel(p: Participant): string {
  const name = `${p.firstName} ${p.lastName}`.trim();
  return name ? `${name} <${p.email}>` : p.email;
}

function ParticipantOptions({ participants, selected }: { participants: Participant[]; selected: string | null }) {
  return (
    <>
      {participants.map((p) => (
        <option value={p.id} selected={p.id === selected}>
          {participantLabel(p)}
        </option>
      ))}
    </>
  );
}

export interface PreviewPanelProps {
  /** The editor page: the participant chooser reloads it. */
  editorHref: string;
  frameSrc: string | null;
  preview: Preview | null;
  error: string | null;
  participants: Participant[];
  selected: string | null;
  q: string;
}

/**
 * The saved template rendered for one participant. The HTML body is framed from its own route,
 * sandboxed by attribute and by that response's CSP, like the Mailbox's HTML view.
 */
export function PreviewPanel(props: PreviewPanelProps) {
  const { preview } = props;
  return (
    <section id="preview">
      <h2>Preview</h2>
      <form method="get" action={props.editorHref} class="toolbar">
        <label>
          Find a participant
          <input type="search" name="q" value={props.q} maxLength={200} />
        </label>
        <label>
          Participant
          <select name="participant">
            <ParticipantOptions participants={props.participants} selected={props.selected} />
          </select>
        </label>
        <button type="submit" class="secondary">
          Preview
        </button>
      </form>
      {props.participants.length === 0 && <p class="muted">No participant matches: add participants to the event to preview with their data.</p>}
      {props.error && (
        <p class="error-text" role="alert">
          {props.error}
        </p>
      )}
      {preview && (
        <>
          {preview.personalTags.length > 0 && (
            <p class="muted">
              Personal tags ({preview.personalTags.join(', ')}) show a placeholder marked "preview": their real values are created for each
              recipient when the email is sent, never for a preview.
            </p>
          )}
          <dl class="fields">
            <dt>Subject</dt>
            <dd>{preview.subject}</dd>
          </dl>
          {props.frameSrc && (
            <iframe class="mail-html" title="HTML preview" src={props.frameSrc} sandbox="" referrerpolicy="no-referrer" width="100%" height="480" />
          )}
          <details class="card">
            <summary>Text part</summary>
            <pre class="mail-text">{preview.text}</pre>
          </details>
        </>
      )}
    </section>
  );
}

export function SendTestPanel(props: { action: string; csrf: string; participants: Participant[]; to: string; error: string | null }) {
  const [first, second] = props.participants;
  return (
    <section id="send-test">
      <h2>Send a test</h2>
      <p class="muted">
        The email is rendered with each chosen participant's data and every copy goes to you ({props.to}), not to them. Personal links and codes
        are checked to differ between the participants: if two would get the same one, nothing is sent.
      </p>
      {props.error && (
        <div class="error-text" role="alert">
          <p>{props.error}</p>
        </div>
      )}
      {props.participants.length < 2 ? (
        <p class="muted">A test needs at least two participants in the event.</p>
      ) : (
        <form method="post" action={props.action} class="toolbar">
          <CsrfField csrf={props.csrf} />
          <label>
            First participant
            <select name="participants">
              <ParticipantOptions participants={props.participants} selected={first?.id ?? null} />
            </select>
          </label>
          <label>
            Second participant
            <select name="participants">
              <ParticipantOptions participants={props.participants} selected={second?.id ?? null} />
            </select>
          </label>
          <label>
            Third (optional)
            <select name="participants">
              <option value="">None</option>
              <ParticipantOptions participants={props.participants} selected={null} />
            </select>
          </label>
          <button type="submit">Send test to me</button>
        </form>
      )}
    </section>
  );
}
