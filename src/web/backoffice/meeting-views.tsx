import { Type, type Static } from '@sinclair/typebox';
import type { OrgAccess } from '../../http/staff-session.js';
import type { Event } from '../../modules/events/index.js';
import type { AvailabilityGrid, MeetingCampaign } from '../../modules/meetings/index.js';
import { CsrfField } from '../layout.js';
import { dayLabel, slotTable } from '../attendee/meeting-views.js';
import { formatInZone, utcToZonedInput } from './event-time.js';
import { ErrorSummary, EventHeader, FieldError, eventPath, invalid, type FormErrors } from './event-ui.js';

export const CampaignBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    name: Type.String({ maxLength: 1000 }),
    first_day: Type.String({ maxLength: 20 }),
    last_day: Type.String({ maxLength: 20 }),
    day_starts: Type.String({ maxLength: 10 }),
    day_ends: Type.String({ maxLength: 10 }),
    slot_minutes: Type.String({ maxLength: 10 }),
    closes_at: Type.String({ maxLength: 40 }),
  },
  { additionalProperties: false },
);
export type CampaignValues = Omit<Static<typeof CampaignBody>, '_csrf'>;

/** Domain detail paths -> form field names. */
export const CAMPAIGN_PATHS = { name: 'name', firstDay: 'first_day', lastDay: 'last_day', dayStarts: 'day_starts', dayEnds: 'day_ends', slotMinutes: 'slot_minutes', closesAt: 'closes_at' };

export function meetingsPath(orgId: string, eventId: string): string {
  return `${eventPath(orgId, eventId)}/meetings`;
}

/** A new campaign starts on the event's days, office hours, half-hour slots, closing when the event starts. */
export function blankCampaignValues(event: Event): CampaignValues {
  return {
    name: 'Meeting availability',
    first_day: utcToZonedInput(event.startsAt, event.timeZone).slice(0, 10),
    last_day: utcToZonedInput(event.endsAt, event.timeZone).slice(0, 10),
    day_starts: '09:00',
    day_ends: '17:00',
    slot_minutes: '30',
    closes_at: utcToZonedInput(event.startsAt, event.timeZone),
  };
}

export function campaignValuesOf(c: MeetingCampaign, event: Event): CampaignValues {
  return { name: c.name, first_day: c.firstDay, last_day: c.lastDay, day_starts: c.dayStarts, day_ends: c.dayEnds, slot_minutes: String(c.slotMinutes), closes_at: utcToZonedInput(c.closesAt, event.timeZone) };
}

function Field({ name, label, type, values, errors, hint }: { name: keyof CampaignValues; label: string; type: string; values: CampaignValues; errors: FormErrors; hint?: string }) {
  return (
    <label>
      {label}
      <input name={name} type={type} value={values[name]} required aria-invalid={invalid(errors, name)} aria-describedby={errors[name] ? `err-${name}` : undefined} />
      {hint && <span class="muted">{hint}</span>}
      <FieldError errors={errors} name={name} />
    </label>
  );
}

export function CampaignEditor(props: { access: OrgAccess; event: Event; csrf: string; campaign: MeetingCampaign | null; values: CampaignValues; errors: FormErrors }) {
  const { access, event, campaign, values, errors } = props;
  const base = meetingsPath(access.org.id, event.id);
  return (
    <section>
      <EventHeader access={access} event={event} current="meetings" />
      <h1>{campaign ? `Edit “${campaign.name}”` : 'New availability campaign'}</h1>
      <ErrorSummary errors={errors} />
      <form method="post" action={campaign ? `${base}/${campaign.id}/edit` : `${base}/new`} class="card">
        <CsrfField csrf={props.csrf} />
        <Field name="name" label="Name" type="text" values={values} errors={errors} />
        <fieldset>
          <legend>Slots (in {event.timeZone} time)</legend>
          <Field name="first_day" label="First day" type="date" values={values} errors={errors} />
          <Field name="last_day" label="Last day" type="date" values={values} errors={errors} />
          <Field name="day_starts" label="Each day from" type="time" values={values} errors={errors} />
          <Field name="day_ends" label="Each day until" type="time" values={values} errors={errors} />
          <Field name="slot_minutes" label="Slot length (minutes)" type="number" values={values} errors={errors} />
        </fieldset>
        <Field name="closes_at" label={`Answers close (${event.timeZone})`} type="datetime-local" values={values} errors={errors} hint="Availability links stop working then." />
        {campaign && <p class="muted">Changing days or hours keeps answers for the slots still offered; new slots start unanswered.</p>}
        <p>
          <button type="submit">{campaign ? 'Save' : 'Create'}</button> <a href={campaign ? `${base}/${campaign.id}` : base}>Cancel</a>
        </p>
      </form>
    </section>
  );
}

function status(c: MeetingCampaign, now: Date): string {
  return c.closesAt <= now.toISOString() ? 'closed' : 'open';
}

export function CampaignList({ access, event, campaigns, now }: { access: OrgAccess; event: Event; campaigns: MeetingCampaign[]; now: Date }) {
  const base = meetingsPath(access.org.id, event.id);
  return (
    <section>
      <EventHeader access={access} event={event} current="meetings" />
      <div class="toolbar spread">
        <h1>Meeting availability</h1>
        <a class="button" href={`${base}/new`}>
          New availability campaign
        </a>
      </div>
      <div class="card">
        <p>
          Offer slots, then send an emailing (under <a href={`${eventPath(access.org.id, event.id)}/campaigns`}>Campaigns</a>) whose template contains{' '}
          <code>{'{{ availability_link }}'}</code>: each recipient gets their own link to the event's <strong>open</strong> availability campaign, which
          stops working when answers close. One campaign is open at a time, so the tag never has to choose.
        </p>
      </div>
      {campaigns.length === 0 ? (
        <p class="muted">No availability campaign yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Days</th>
              <th scope="col">Answers close</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.map((c) => (
              <tr>
                <td>
                  <a href={`${base}/${c.id}`}>{c.name}</a>
                </td>
                <td>
                  {dayLabel(c.firstDay)}
                  {c.lastDay !== c.firstDay ? ` – ${dayLabel(c.lastDay)}` : ''}, {c.dayStarts}–{c.dayEnds}
                </td>
                <td>{formatInZone(c.closesAt, event.timeZone)}</td>
                <td>
                  <span class="badge">{status(c, now)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Participants x slots: a tick where someone is available, the count per slot on top. */
function Grid({ grid }: { grid: AvailabilityGrid }) {
  const { days, times, at } = slotTable(grid.slots);
  const columns = days.flatMap((day) => times.map((time) => at(day, time.start)).filter((s) => s !== undefined));
  return (
    <div class="slot-grid">
      <table class="availability" data-testid="availability-grid">
        <caption>Who is available when ({grid.rows.length} answered; ✓ available, empty not available)</caption>
        <thead>
          <tr>
            <td></td>
            {days.map((day) => (
              <th scope="colgroup" colSpan={columns.filter((s) => s.day === day).length}>
                {dayLabel(day)}
              </th>
            ))}
          </tr>
          <tr>
            <th scope="col">Participant</th>
            {columns.map((s) => (
              <th scope="col">{s.start}</th>
            ))}
          </tr>
          <tr class="counts">
            <th scope="row">Available</th>
            {columns.map((s) => (
              <td data-testid={`count-${s.key}`}>{grid.counts[s.key] ?? 0}</td>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.rows.map((row) => (
            <tr>
              <th scope="row">
                {row.name} <span class="muted">{row.email}</span>
              </th>
              {/* An empty cell is "not available": at thousands of rows, every byte per cell counts. */}
              {columns.map((s) => (row.available.has(s.key) ? <td class="yes">✓</td> : <td />))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CampaignPage(props: { access: OrgAccess; event: Event; csrf: string; campaign: MeetingCampaign; grid: AvailabilityGrid; now: Date }) {
  const { access, event, campaign, grid } = props;
  const base = `${meetingsPath(access.org.id, event.id)}/${campaign.id}`;
  const open = status(campaign, props.now) === 'open';
  return (
    <section>
      <EventHeader access={access} event={event} current="meetings" />
      <h1>
        {campaign.name} <span class="badge">{open ? 'open' : 'closed'}</span>
      </h1>
      <p class="muted">
        {grid.slots.length} slots of {campaign.slotMinutes} minutes, {campaign.dayStarts}–{campaign.dayEnds} ({event.timeZone}) · answers {open ? 'close' : 'closed'}{' '}
        {formatInZone(campaign.closesAt, event.timeZone)}
      </p>
      <div class="toolbar">
        <a class="button" href={`${base}/edit`}>
          Edit
        </a>
        <a class="button" href={`${base}/availability.csv`}>
          Download CSV
        </a>
        {open && (
          <form method="post" action={`${base}/close`} class="inline">
            <CsrfField csrf={props.csrf} />
            <button type="submit" class="danger">
              Close answers now
            </button>
          </form>
        )}
      </div>
      {grid.rows.length === 0 ? <p class="muted">Nobody has answered yet.</p> : <Grid grid={grid} />}
      <h2>Not answered yet ({grid.pending.length})</h2>
      {grid.pending.length === 0 ? (
        <p class="muted">{grid.rows.length === 0 ? 'The link has not been sent to anyone yet: send an emailing with {{ availability_link }}.' : 'Everyone who was sent the link has answered.'}</p>
      ) : (
        <ul data-testid="not-answered">
          {grid.pending.map((p) => (
            <li>
              {p.name} <span class="muted">{p.email}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
