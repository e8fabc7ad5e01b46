import type { LoginMetrics, NeverSignedInPage } from '../../modules/access-codes/index.js';
import { formatInZone } from './event-time.js';

export const METHOD_LABELS = { access_code: 'Access code', magic_link: 'Emailed app link', signin_link: 'Sign-in link' } as const;
const METHODS = Object.keys(METHOD_LABELS) as Array<keyof typeof METHOD_LABELS>;
// Bar colours by method, in the order above; the table says the same in words.
const COLOURS = ['#2f6fde', '#2a9d5b', '#c77d1a'];

type Day = LoginMetrics['days'][number];
const totalOf = (d: Day) => d.access_code + d.magic_link + d.signin_link;

/** Stacked bars per day: a glance only, the table below holds the numbers. */
function Chart({ days }: { days: Day[] }) {
  const shown = days.slice(-60);
  const max = Math.max(1, ...shown.map(totalOf));
  const width = 12;
  const height = 80;
  return (
    <svg class="sign-in-chart" role="img" aria-label="Sign-ins per day by method" width={shown.length * (width + 2)} height={height} viewBox={`0 0 ${shown.length * (width + 2)} ${height}`}>
      {shown.map((day, i) => {
        let y = height;
        return METHODS.map((method, m) => {
          const h = Math.round((day[method] / max) * height);
          y -= h;
          return h > 0 ? (
            <rect x={i * (width + 2)} y={y} width={width} height={h} fill={COLOURS[m]}>
              <title>{`${day.day}: ${day[method]} ${METHOD_LABELS[method]}`}</title>
            </rect>
          ) : null;
        });
      })}
    </svg>
  );
}

export function SignInTable({ metrics }: { metrics: LoginMetrics }) {
  if (metrics.days.length === 0) return <p class="muted">Nobody has signed in to the app yet.</p>;
  const sums = METHODS.map((m) => metrics.days.reduce((n, d) => n + d[m], 0));
  return (
    <>
      <Chart days={metrics.days} />
      <table class="sign-ins" data-testid="sign-ins-by-day">
        <thead>
          <tr>
            <th>Day (UTC)</th>
            {METHODS.map((m, i) => (
              <th>
                <svg width="10" height="10" aria-hidden="true">
                  <rect width="10" height="10" fill={COLOURS[i]} />
                </svg>{' '}
                {METHOD_LABELS[m]}
              </th>
            ))}
            <th>Total</th>
          </tr>
        </thead>
        <tbody>
          {metrics.days.map((day) => (
            <tr>
              <td>{day.day}</td>
              {METHODS.map((m) => (
                <td>{day[m]}</td>
              ))}
              <td>{totalOf(day)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th>All days</th>
            {sums.map((n) => (
              <th>{n}</th>
            ))}
            <th>{sums.reduce((a, b) => a + b, 0)}</th>
          </tr>
        </tfoot>
      </table>
    </>
  );
}

export interface NeverSignedInProps {
  page: NeverSignedInPage;
  offset: number;
  pageSize: number;
  path: string;
  csvHref: string;
  /** "Email them": a new campaign with these people selected, when they fit in a link. */
  campaignHref: string | null;
  timeZone: string;
}

export function NeverSignedIn({ page, offset, pageSize, path, csvHref, campaignHref, timeZone }: NeverSignedInProps) {
  return (
    <section id="never-signed-in">
      <h2>Registered, never signed in ({page.total})</h2>
      {page.total === 0 ? (
        <p class="muted">Every registered attendee has signed in at least once.</p>
      ) : (
        <>
          <p>
            <a class="button secondary" href={csvHref}>
              Download CSV
            </a>{' '}
            {campaignHref ? (
              <a class="button secondary" href={campaignHref}>
                Create a campaign to them
              </a>
            ) : (
              <span class="muted">Too many to select in a campaign: download the list, or send a campaign to registered attendees.</span>
            )}
          </p>
          <table data-testid="never-signed-in">
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Registered</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((p) => (
                <tr>
                  <td>
                    <a href={`${path.replace(/\/sign-ins$/, '')}/participants/${p.id}`}>{`${p.lastName}${p.lastName && p.firstName ? ', ' : ''}${p.firstName}` || '(no name)'}</a>
                  </td>
                  <td>{p.email}</td>
                  <td>{p.registeredAt ? formatInZone(p.registeredAt, timeZone) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            {offset > 0 && <a href={`${path}?offset=${Math.max(0, offset - pageSize)}`}>« Previous</a>}
            {offset + page.items.length < page.total && <a href={`${path}?offset=${offset + pageSize}`}>Next »</a>}
          </nav>
        </>
      )}
    </section>
  );
}
