import type { Campaign, CampaignMessagePage, CampaignProgress, EmailTemplate, OutboxStatus } from '../../modules/emailing/index.js';
import { roleAtLeast } from '../../modules/organisations/index.js';
import { CsrfField } from '../layout.js';
import { PostButton, hrefWith } from './components.js';
import { describeAudience } from './campaign-form.js';
import type { EmailPage } from './email-pages.js';
import { formatInZone, utcToZonedInput } from './event-time.js';

export const MESSAGE_STATUSES: readonly OutboxStatus[] = ['queued', 'sending', 'sent', 'failed', 'bounced', 'skipped', 'cancelled'];

/** A campaign time in the event's own zone, which is the zone the organiser scheduled it in. */
function when(iso: string | null, page: EmailPage): string {
  return iso ? `${formatInZone(iso, page.event.timeZone)} (${page.event.timeZone})` : '';
}

export function CampaignList({ page, campaigns, templates }: { page: EmailPage; campaigns: Campaign[]; templates: Map<string, EmailTemplate> }) {
  const path = `${page.eventBase}/campaigns`;
  return (
    <>
      <div class="toolbar spread">
        <h1>Campaigns</h1>
        <a href={`/admin/o/${page.access.org.id}/suppressions`}>Suppressed addresses</a>
        {roleAtLeast(page.access.role, 'admin') && (
          <a class="button" href={`${path}/new`}>
            New campaign
          </a>
        )}
      </div>
      {campaigns.length === 0 ? (
        <p class="muted">No campaigns yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Template</th>
              <th>Scheduled / started</th>
              <th>Recipients</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.map((c) => (
              <tr>
                <td>
                  <a href={`${path}/${c.id}`}>{c.name}</a>
                </td>
                <td>
                  <span class="badge">{c.status}</span>
                </td>
                <td>{templates.get(c.templateId)?.name ?? ''}</td>
                <td>{when(c.startedAt ?? c.scheduledAt, page)}</td>
                <td>{c.status === 'draft' || c.status === 'scheduled' ? '' : c.recipientCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const plural = (n: number | null, one: string, many: string) => (n === 1 ? one : many);

function Actions(props: { page: EmailPage; campaign: Campaign; progress: CampaignProgress; csrf: string; audienceCount: number | null; now: string }) {
  const { page, campaign, progress, csrf, audienceCount } = props;
  const base = `${page.eventBase}/campaigns/${campaign.id}`;
  const s = campaign.status;
  const startable = s === 'draft' || s === 'scheduled';
  // Suggest the same time tomorrow, in the event's zone.
  const defaultTime = utcToZonedInput(campaign.scheduledAt ?? new Date(Date.parse(props.now) + 86_400_000).toISOString(), page.event.timeZone);
  const retriable = progress.failed > 0 && (s === 'sending' || s === 'paused' || s === 'finished');
  // An ended campaign with nothing to retry offers no action at all.
  if ((s === 'finished' || s === 'cancelled') && !retriable) return null;
  return (
    <div class="card">
      {startable && (
        <>
          <PostButton action={`${base}/send`} csrf={csrf} label={`Send now to ${audienceCount} ${plural(audienceCount, 'participant', 'participants')}`} />
          <form method="post" action={`${base}/schedule`} class="toolbar">
            <CsrfField csrf={csrf} />
            <label>
              Send at <span class="muted">(time in {page.event.timeZone}, the event's zone)</span>
              <input type="datetime-local" name="scheduled_at" value={defaultTime} required />
            </label>
            <button type="submit" class="secondary">
              {s === 'scheduled' ? 'Reschedule' : 'Schedule'}
            </button>
          </form>
          {s === 'scheduled' && <PostButton action={`${base}/unschedule`} csrf={csrf} label="Unschedule (back to draft)" />}
        </>
      )}
      {s === 'sending' && <PostButton action={`${base}/pause`} csrf={csrf} label="Pause" />}
      {s === 'paused' && <PostButton action={`${base}/resume`} csrf={csrf} label="Resume" />}
      {retriable && (
        <PostButton action={`${base}/retry`} csrf={csrf} label={`Retry ${progress.failed} failed`} />
      )}{' '}
      {s !== 'finished' && <PostButton action={`${base}/cancel`} csrf={csrf} label="Cancel campaign" danger />}
    </div>
  );
}

function Progress({ progress }: { progress: CampaignProgress }) {
  const shown: Array<[string, number]> = [
    ['queued', progress.queued - progress.paused],
    ['held (paused)', progress.paused],
    ['sending', progress.sending],
    ['sent', progress.sent],
    ['failed', progress.failed],
    ['bounced', progress.bounced],
    ['skipped', progress.skipped],
    ['cancelled', progress.cancelled],
  ];
  return (
    <div class="stats" aria-label="Progress">
      {shown.map(([label, n]) => (
        <div class="card stat">
          <b>{n}</b>
          {label}
        </div>
      ))}
    </div>
  );
}

function Messages({ page, campaign, messages, status, after }: { page: EmailPage; campaign: Campaign; messages: CampaignMessagePage; status: OutboxStatus | null; after: string | null }) {
  const base = `${page.eventBase}/campaigns/${campaign.id}`;
  return (
    <section id="recipients">
      <h2>Recipients</h2>
      <nav class="tabs" aria-label="Filter by status">
        <a href={`${base}#recipients`} aria-current={status === null ? 'page' : undefined}>
          All
        </a>
        {MESSAGE_STATUSES.map((s) => (
          <a href={`${hrefWith(base, { status: s })}#recipients`} aria-current={status === s ? 'page' : undefined}>
            {s}
          </a>
        ))}
      </nav>
      {messages.items.length === 0 ? (
        <p class="muted">No messages{status ? ` with status ${status}` : ''}.</p>
      ) : (
        <table class="campaign-messages">
          <thead>
            <tr>
              <th>Recipient</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Reason / sent at</th>
            </tr>
          </thead>
          <tbody>
            {messages.items.map((m) => (
              <tr>
                <td>
                  <a href={`${page.eventBase}/participants/${m.participantId}`}>{m.name || m.email}</a> <span class="muted">{m.email}</span>
                </td>
                <td>
                  <span class="badge">{m.paused ? 'held (paused)' : m.status}</span>
                </td>
                <td>{m.attempts}</td>
                <td>{m.status === 'sent' ? when(m.sentAt, page) : (m.lastError ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {after && <a href={`${hrefWith(base, { status })}#recipients`}>« First page</a>}
        {messages.next && <a href={`${hrefWith(base, { status, after: messages.next })}#recipients`}>Next »</a>}
      </nav>
    </section>
  );
}

export interface CampaignViewProps {
  page: EmailPage;
  campaign: Campaign;
  template: EmailTemplate | null;
  progress: CampaignProgress;
  audienceCount: number | null;
  messages: CampaignMessagePage;
  status: OutboxStatus | null;
  after: string | null;
  csrf: string;
  error: string | null;
  now: string;
}

export function CampaignView(props: CampaignViewProps) {
  const { page, campaign } = props;
  return (
    <>
      <p class="muted">
        <a href={`${page.eventBase}/campaigns`}>Campaigns</a> › {campaign.name}
      </p>
      <h1>
        {campaign.name} <span class="badge">{campaign.status}</span>
      </h1>
      {props.error && (
        <p class="error-text" role="alert">
          {props.error}
        </p>
      )}
      <dl class="fields">
        <dt>Template</dt>
        <dd>{props.template ? <a href={`${page.eventBase}/emails/templates/${props.template.id}`}>{props.template.name}</a> : '(deleted)'}</dd>
        <dt>Audience</dt>
        <dd>{describeAudience(campaign.audience, page.fields)}</dd>
        {campaign.scheduledAt && <dt>{campaign.startedAt ? 'Started' : 'Scheduled for'}</dt>}
        {campaign.scheduledAt && <dd>{when(campaign.startedAt ?? campaign.scheduledAt, page)}</dd>}
        {campaign.finishedAt && <dt>{campaign.status === 'cancelled' ? 'Cancelled' : 'Finished'}</dt>}
        {campaign.finishedAt && <dd>{when(campaign.finishedAt, page)}</dd>}
        {campaign.startedAt && <dt>Messages</dt>}
        {campaign.startedAt && <dd>{campaign.recipientCount}</dd>}
      </dl>
      {props.audienceCount !== null && (
        <p class="count">
          <b>{props.audienceCount}</b> {plural(props.audienceCount, 'participant matches', 'participants match')} this audience now. The list is read
          again when the campaign starts.
        </p>
      )}
      {roleAtLeast(page.access.role, 'admin') && (
        <Actions page={page} campaign={campaign} progress={props.progress} csrf={props.csrf} audienceCount={props.audienceCount} now={props.now} />
      )}
      {campaign.startedAt && <Progress progress={props.progress} />}
      {campaign.startedAt && <Messages page={page} campaign={campaign} messages={props.messages} status={props.status} after={props.after} />}
    </>
  );
}
