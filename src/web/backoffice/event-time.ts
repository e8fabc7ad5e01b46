/**
 * Event times are stored in UTC and entered and shown in the event's own time zone: an organiser
 * in Paris preparing a conference in Montréal types the time printed on the Montréal programme.
 */

export const DEFAULT_TIME_ZONE = 'Europe/Paris';

// Intl leaves out the plain "UTC" alias, which organisers of online events expect to find.
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let format = partsFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock time in the zone at this instant, read back as if it were UTC (ms). */
function wallClockMs(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of partsFormat(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/**
 * `2026-09-14T09:00` in `Europe/Paris` -> `2026-09-14T07:00:00.000Z`; null when the text is not a
 * datetime-local value or the zone is unknown. The offset is taken at the resulting instant, so
 * dates on the other side of a DST change from today convert correctly; a time that does not
 * exist (skipped by a spring-forward) moves forward by the gap, as clocks do.
 */
export function zonedToUtc(local: string, timeZone: string): string | null {
  const match = LOCAL.exec(local.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const asUtc = Date.UTC(y!, mo! - 1, d!, h!, mi!, Number.isNaN(s) ? 0 : s!);
  const check = new Date(asUtc);
  if (Number.isNaN(asUtc) || check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d! || h! > 23 || mi! > 59) return null;
  try {
    const firstGuess = asUtc - (wallClockMs(asUtc, timeZone) - asUtc);
    const instant = asUtc - (wallClockMs(firstGuess, timeZone) - firstGuess);
    return new Date(instant).toISOString();
  } catch {
    return null;
  }
}

/** The value for a datetime-local input: the instant's wall-clock time in the zone. */
export function utcToZonedInput(iso: string, timeZone: string): string {
  const instant = new Date(iso).getTime();
  if (Number.isNaN(instant)) return '';
  try {
    return new Date(wallClockMs(instant, timeZone)).toISOString().slice(0, 16);
  } catch {
    return '';
  }
}

/** `Mon 14 Sept 2026, 09:00`, in the event's zone. */
export function formatInZone(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
  } catch {
    return date.toISOString();
  }
}

/** Start to end on one line; the end drops its date when the event fits in one day. */
export function formatEventDates(event: { startsAt: string; endsAt: string; timeZone: string }): string {
  const start = formatInZone(event.startsAt, event.timeZone);
  const end = formatInZone(event.endsAt, event.timeZone);
  const sameDay = utcToZonedInput(event.startsAt, event.timeZone).slice(0, 10) === utcToZonedInput(event.endsAt, event.timeZone).slice(0, 10);
  return `${start} – ${sameDay ? end.slice(end.lastIndexOf(' ') + 1) : end}`;
}
