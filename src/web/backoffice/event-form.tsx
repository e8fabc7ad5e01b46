import { Type, type Static } from '@sinclair/typebox';
import { EVENT_STATUSES, isTimeZone, type Event, type EventInput, type EventStatus } from '../../modules/events/index.js';
import { CsrfField } from '../layout.js';
import { DEFAULT_TIME_ZONE, TIME_ZONES, utcToZonedInput, zonedToUtc } from './event-time.js';
import { ErrorSummary, FieldError, StatusSelect, invalid, type FormErrors } from './event-ui.js';

// Lengths are generous here: the domain gives the precise, friendly refusal; this only stops abuse.
export const EventBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    name: Type.String({ maxLength: 1000 }),
    slug: Type.Optional(Type.String({ maxLength: 200 })),
    starts_at: Type.String({ maxLength: 40 }),
    ends_at: Type.String({ maxLength: 40 }),
    time_zone: Type.String({ maxLength: 100 }),
    venue: Type.Optional(Type.String({ maxLength: 1000 })),
    status: Type.Union(EVENT_STATUSES.map((s) => Type.Literal(s))),
  },
  { additionalProperties: false },
);
export type EventBodyType = Static<typeof EventBody>;

/** What the form shows: the organiser's own text, in the event's zone. */
export interface EventFormValues {
  name: string;
  slug: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  venue: string;
  status: EventStatus;
}

// Domain detail paths -> form field names.
export const EVENT_ERROR_PATHS: Record<string, string> = { startsAt: 'starts_at', endsAt: 'ends_at', timeZone: 'time_zone' };

export function blankEventValues(): EventFormValues {
  return { name: '', slug: '', startsAt: '', endsAt: '', timeZone: DEFAULT_TIME_ZONE, venue: '', status: 'draft' };
}

export function eventValuesOf(event: Event): EventFormValues {
  return {
    name: event.name,
    slug: event.slug,
    startsAt: utcToZonedInput(event.startsAt, event.timeZone),
    endsAt: utcToZonedInput(event.endsAt, event.timeZone),
    timeZone: event.timeZone,
    venue: event.venue ?? '',
    status: event.status,
  };
}

export function eventValuesFromBody(body: EventBodyType): EventFormValues {
  return {
    name: body.name,
    slug: body.slug ?? '',
    startsAt: body.starts_at,
    endsAt: body.ends_at,
    timeZone: body.time_zone,
    venue: body.venue ?? '',
    status: body.status,
  };
}

/**
 * Turns the typed values into the domain's input, converting the wall-clock times from the
 * chosen zone to UTC. Problems the conversion finds come back as form errors.
 */
export function eventInputOf(values: EventFormValues): { input: EventInput } | { errors: FormErrors } {
  const errors: FormErrors = {};
  if (!isTimeZone(values.timeZone)) errors['time_zone'] = 'Choose a time zone from the list';
  const startsAt = errors['time_zone'] ? null : zonedToUtc(values.startsAt, values.timeZone);
  const endsAt = errors['time_zone'] ? null : zonedToUtc(values.endsAt, values.timeZone);
  if (!startsAt && !errors['time_zone']) errors['starts_at'] = 'Give the start date and time';
  if (!endsAt && !errors['time_zone']) errors['ends_at'] = 'Give the end date and time';
  if (!startsAt || !endsAt || Object.keys(errors).length > 0) return { errors };
  const slug = values.slug.trim();
  return {
    input: { name: values.name, slug: slug || undefined, startsAt, endsAt, timeZone: values.timeZone, venue: values.venue, status: values.status },
  };
}

function TimeZoneSelect({ selected }: { selected: string }) {
  // A zone stored earlier that this Node's list lacks (an alias) must still show as selected.
  const zones = TIME_ZONES.includes(selected) ? TIME_ZONES : [selected, ...TIME_ZONES];
  return (
    <select name="time_zone" required>
      {zones.map((zone) => (
        <option value={zone} selected={zone === selected}>
          {zone.replaceAll('_', ' ')}
        </option>
      ))}
    </select>
  );
}

export function EventForm(props: { action: string; csrf: string; values: EventFormValues; errors: FormErrors; submit: string }) {
  const { values, errors } = props;
  return (
    <form method="post" action={props.action} class="card">
      <ErrorSummary errors={errors} />
      <CsrfField csrf={props.csrf} />
      <div class="grid2">
        <label>
          Name
          <input name="name" value={values.name} required maxLength={200} aria-invalid={invalid(errors, 'name')} />
          <FieldError errors={errors} name="name" />
        </label>
        <label>
          Slug <span class="muted">(optional: made from the name; a-z, 0-9 and dashes)</span>
          <input name="slug" value={values.slug} maxLength={60} pattern="[a-z0-9-]*" aria-invalid={invalid(errors, 'slug')} />
          <FieldError errors={errors} name="slug" />
        </label>
        <label>
          Starts (in the event's time zone)
          <input type="datetime-local" name="starts_at" value={values.startsAt} required aria-invalid={invalid(errors, 'starts_at')} />
          <FieldError errors={errors} name="starts_at" />
        </label>
        <label>
          Ends (in the event's time zone)
          <input type="datetime-local" name="ends_at" value={values.endsAt} required aria-invalid={invalid(errors, 'ends_at')} />
          <FieldError errors={errors} name="ends_at" />
        </label>
        <label>
          Time zone
          <TimeZoneSelect selected={values.timeZone} />
          <FieldError errors={errors} name="time_zone" />
        </label>
        <label>
          Venue <span class="muted">(optional)</span>
          <input name="venue" value={values.venue} maxLength={300} aria-invalid={invalid(errors, 'venue')} />
          <FieldError errors={errors} name="venue" />
        </label>
        <StatusSelect statuses={EVENT_STATUSES} value={values.status} errors={errors} />
      </div>
      <button type="submit">{props.submit}</button>
    </form>
  );
}
