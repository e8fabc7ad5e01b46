import type { PermalinkStatus, SponsorContact } from '../../modules/sponsors/index.js';
import { CsrfField } from '../layout.js';
import { formatDateTime, PostButton } from './components.js';
import { ErrorSummary, FieldError, type FormErrors } from './event-ui.js';

interface Props {
  path: string;
  csrf: string;
  admin: boolean;
  contacts: SponsorContact[];
  statuses: Map<string, PermalinkStatus>;
  errors: FormErrors;
}

const ROLE_LABELS: Record<SponsorContact['role'], string> = { editor: 'profile and booth scanning', scanner: 'booth scanning only' };

function when(iso: string | null): string {
  return iso ? formatDateTime(iso) : 'never';
}

/** A sponsor's contacts and where their permalinks stand; the links themselves are never shown. */
export function SponsorContacts({ path, csrf, admin, contacts, statuses, errors }: Props) {
  return (
    <div class="card sponsor-contacts">
      <h2>Contacts and permalinks</h2>
      <p class="muted">
        The permalink is emailed to the contact and never shown here. Sending again adds a new link; revoking ends all of the contact's links and signs
        them out at once.
      </p>
      {contacts.length === 0 ? (
        <p class="muted">No contact yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Contact</th>
              <th>Active links</th>
              <th>Last sent</th>
              <th>Last used</th>
              <th>Open sessions</th>
              {admin && <th></th>}
            </tr>
          </thead>
          <tbody>
            {contacts.map((c) => {
              const status = statuses.get(c.id);
              return (
                <tr data-contact={c.email}>
                  <td>
                    {`${c.firstName} ${c.lastName}`.trim()}
                    <br />
                    <small>{c.email}</small>
                    <br />
                    <span class="badge">{ROLE_LABELS[c.role]}</span>
                  </td>
                  <td>{status?.active ?? 0}</td>
                  <td>{when(status?.lastSentAt ?? null)}</td>
                  <td>{when(status?.lastUsedAt ?? null)}</td>
                  <td>{status?.openSessions ?? 0}</td>
                  {admin && (
                    <td class="actions">
                      <PostButton action={`${path}/contacts/${c.id}/send`} csrf={csrf} label="Send permalink" />
                      <PostButton action={`${path}/contacts/${c.id}/revoke`} csrf={csrf} label="Revoke permalinks" danger />
                      <PostButton action={`${path}/contacts/${c.id}/remove`} csrf={csrf} label="Remove" danger />
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {admin && (
        <form method="post" action={`${path}/contacts`} data-testid="new-sponsor-contact">
          <h3>Add a contact</h3>
          <CsrfField csrf={csrf} />
          <ErrorSummary errors={errors} />
          <label>
            Name
            <input type="text" name="name" required maxLength={120} />
            <FieldError errors={errors} name="name" />
          </label>
          <label>
            Email
            <input type="email" name="email" required />
            <FieldError errors={errors} name="email" />
          </label>
          <label>
            Their link opens
            <select name="role">
              <option value="editor">{ROLE_LABELS.editor}</option>
              <option value="scanner">{ROLE_LABELS.scanner}</option>
            </select>
          </label>
          <button type="submit">Add contact</button>
        </form>
      )}
    </div>
  );
}
