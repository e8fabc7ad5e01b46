import type { MailboxMessage, MailboxSummary } from '../../modules/mail-transport/index.js';
import { Pager, formatDateTime } from './components.js';

export function MailboxList({ messages, newestHref, olderHref }: { messages: MailboxSummary[]; newestHref: string | null; olderHref: string | null }) {
  return (
    <section>
      <h1>Mailbox</h1>
      <p class="muted">
        Mail Tessera sent while no SMTP relay is configured (SMTP_URL), kept by the local mail sink instead of being delivered.
        You see mail addressed to you, and to the contacts of organisations where you are staff, admin or owner.
      </p>
      {messages.length === 0 ? (
        <p class="muted">No messages.</p>
      ) : (
        <table class="mailbox">
          <thead>
            <tr>
              <th>To</th>
              <th>Subject</th>
              <th>Received</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((message) => (
              <tr>
                <td>{message.rcptTo.join(', ')}</td>
                <td>
                  <a href={`/admin/mailbox/${message.id}`}>{message.subject || '(no subject)'}</a>
                </td>
                <td>
                  <time datetime={message.receivedAt}>{formatDateTime(message.receivedAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager newestHref={newestHref} olderHref={olderHref} />
    </section>
  );
}

export function MailboxMessageView({ message }: { message: MailboxMessage }) {
  return (
    <section class="mail-message">
      <p>
        <a href="/admin/mailbox">← Mailbox</a>
      </p>
      <h1>{message.subject || '(no subject)'}</h1>
      <dl class="fields">
        <dt>Envelope from</dt>
        <dd>{message.mailFrom || '(none)'}</dd>
        <dt>Envelope to</dt>
        <dd>{message.rcptTo.join(', ')}</dd>
        <dt>Message-ID</dt>
        <dd>
          <code>{message.messageId ?? '(none)'}</code>
        </dd>
        <dt>Received</dt>
        <dd>
          <time datetime={message.receivedAt}>{formatDateTime(message.receivedAt)}</time>
        </dd>
        <dt>Size</dt>
        <dd>{`${Math.ceil(message.rawSize / 1024)} KB`}</dd>
      </dl>
      <details class="card">
        <summary>Headers</summary>
        <pre class="mail-headers">{message.headers}</pre>
      </details>
      <h2>HTML</h2>
      {message.html === null ? (
        <p class="muted">This message has no HTML part.</p>
      ) : (
        // Sandboxed twice: the attribute here and the CSP of the framed response, which holds
        // even if someone opens that URL directly. Links open in a new tab (see the HTML route).
        <iframe
          class="mail-html"
          title="HTML body"
          src={`/admin/mailbox/${message.id}/html`}
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerpolicy="no-referrer"
          width="100%"
          height="640"
        />
      )}
      <h2>Text</h2>
      {message.text === null ? <p class="muted">This message has no text part.</p> : <pre class="mail-text card">{message.text}</pre>}
    </section>
  );
}
