import type { CredentialPurpose } from '../../modules/credentials/index.js';
import type { LinkStatus, PersonalLinkSummary } from '../../modules/personal-links/index.js';
import { PostButton } from './components.js';
import { formatInZone } from './event-time.js';

/** What each kind of personal link opens, as organisers call it. */
export const PURPOSE_LABELS: Record<CredentialPurpose, string> = {
  webapp: 'Web app',
  form: 'Secure form',
  rsvp: 'RSVP',
  meeting: 'Meeting availability',
  preview: 'Staff preview',
  signin: 'Sign-in link',
  email_change: 'Email change confirmation',
  access_code: 'Set a new access code',
  sponsor: 'Sponsor permalink',
  email_verify: 'Account verification',
  password_reset: 'Password reset',
};

const STATUS_LABELS: Record<LinkStatus, string> = { active: 'active', expired: 'expired', revoked: 'revoked', used: 'used up' };

export function purposeLabel(link: Pick<PersonalLinkSummary, 'purpose' | 'form'>): string {
  const label = PURPOSE_LABELS[link.purpose];
  return link.form ? `${label} (${link.form})` : label;
}

/** The email the link was sent in, as the organiser knows it: campaign and template, or the staff preview. */
export function originText(link: PersonalLinkSummary): string {
  const { origin } = link;
  if (link.purpose === 'preview' || origin.previewBy) return `staff preview by ${origin.previewBy ?? 'a former staff member'}`;
  if (origin.campaignName) return `campaign "${origin.campaignName}"${origin.templateName ? ` (template "${origin.templateName}")` : ''}`;
  if (origin.templateName) return `email "${origin.templateName}"`;
  if (origin.outboxId) return 'an email whose template was deleted';
  return 'issued without an email';
}

export interface PersonalLinksProps {
  links: PersonalLinkSummary[];
  timeZone: string;
  /** `.../participants/:id/links`: revoke forms post below it. Null: the viewer may not revoke. */
  revokeBase: string | null;
  csrf: string;
}

function Fetches({ link, when }: { link: PersonalLinkSummary; when: (iso: string | null) => string }) {
  if (link.fetchCount === 0) return <span class="muted">never</span>;
  return (
    <>
      {link.fetchCount}×, last {when(link.lastFetchedAt)}
      {link.lastFetchAgent && (
        <>
          <br />
          <small class="muted">{link.lastFetchAgent}</small>
        </>
      )}
      {link.fetchedOnly && (
        <>
          <br />
          <strong data-testid="fetched-only">fetched but never used — probably a mail scanner</strong>
        </>
      )}
    </>
  );
}

/**
 * The participant's personal links: what each opens, which email it came in, and how it was
 * used. Never the link itself: only its hash is stored, so nobody can copy or forward it from
 * here, and a link that leaked is revoked rather than looked at.
 */
export function PersonalLinks({ links, timeZone, revokeBase, csrf }: PersonalLinksProps) {
  const when = (iso: string | null) => (iso ? formatInZone(iso, timeZone) : '—');
  const active = links.filter((link) => link.status === 'active');
  return (
    <section id="personal-links">
      <h2>Personal links</h2>
      <p class="muted">
        Links sent to this participant only. The links themselves are never shown: they exist only in the email that carried them. "Fetched" counts
        openings of the link's page without pressing its button, which is what mail scanners do.
      </p>
      {links.length === 0 ? (
        <p class="muted">No personal links sent yet.</p>
      ) : (
        <table class="personal-links">
          <thead>
            <tr>
              <th>Link</th>
              <th>Sent in</th>
              <th>Issued</th>
              <th>Expires</th>
              <th>Used</th>
              <th>Fetched</th>
              {revokeBase && <th></th>}
            </tr>
          </thead>
          <tbody>
            {links.map((link) => (
              <tr data-link-id={link.id}>
                <td>
                  {purposeLabel(link)} <span class="badge">{STATUS_LABELS[link.status]}</span>
                  {link.status === 'revoked' && link.revokedReason && (
                    <>
                      <br />
                      <small class="muted">
                        {when(link.revokedAt)}: {link.revokedReason}
                      </small>
                    </>
                  )}
                </td>
                <td>
                  {originText(link)}
                  <br />
                  <small class="muted">to {link.sentTo}</small>
                </td>
                <td>{when(link.issuedAt)}</td>
                <td>{when(link.expiresAt)}</td>
                <td>{link.useCount === 0 ? <span class="muted">never</span> : `${link.useCount}×, last ${when(link.lastUsedAt)}`}</td>
                <td>
                  <Fetches link={link} when={when} />
                </td>
                {revokeBase && <td>{link.status === 'active' && <PostButton action={`${revokeBase}/${link.id}/revoke`} csrf={csrf} label="Revoke" danger />}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revokeBase && (
        <form method="post" action={`${revokeBase}/revoke-all`} class="inline">
          <input type="hidden" name="_csrf" value={csrf} />
          <button type="submit" class="danger">
            Revoke all links of this participant
          </button>{' '}
          <span class="muted">
            {active.length === 0 ? 'No active link; this still signs them out of the app.' : `${active.length} active; this also signs them out of the app.`}
          </span>
        </form>
      )}
    </section>
  );
}
