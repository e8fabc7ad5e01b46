import { registerMergeTag, type MergeTagContext } from './merge-tags.js';

// Intl formatters are costly to build and a campaign formats the same event for every recipient.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** e.g. "Monday, 14 September 2026 at 09:00 CEST": in the event's own time zone, named so nobody guesses. */
export function formatInZone(iso: string, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    });
    formatters.set(timeZone, format);
  }
  return format.format(new Date(iso));
}

const value = (text: string | null | undefined) => Promise.resolve(text ?? '');

// A campaign formats the same two dates for every recipient, and formatting costs ~8 µs each.
// Keyed by event, version and zone, so an edited event is formatted afresh; bounded because a
// long-running worker sees many events.
const eventDates = new Map<string, string>();

function eventDate(m: MergeTagContext, at: 'startsAt' | 'endsAt'): Promise<string> {
  const event = m.event;
  if (!event) return value('');
  const key = `${event.id}|${event.updatedAt}|${event.timeZone}|${event[at]}`;
  let formatted = eventDates.get(key);
  if (formatted === undefined) {
    formatted = formatInZone(event[at], event.timeZone);
    if (eventDates.size >= 1_000) eventDates.delete(eventDates.keys().next().value!);
    eventDates.set(key, formatted);
  }
  return value(formatted);
}

// The recipient's own data: what this issue provides. Personal credentials (links, codes, QR)
// are registered by their own capabilities through the same function.
const TAGS: Array<{ name: string; description: string; resolve: (m: MergeTagContext) => Promise<string> }> = [
  { name: 'first_name', description: "The recipient's first name", resolve: (m) => value(m.recipient.firstName) },
  { name: 'last_name', description: "The recipient's last name", resolve: (m) => value(m.recipient.lastName) },
  { name: 'full_name', description: 'First and last name', resolve: (m) => value(`${m.recipient.firstName} ${m.recipient.lastName}`.trim()) },
  { name: 'user_email', description: "The recipient's email address", resolve: (m) => value(m.recipient.email) },
  { name: 'event_name', description: 'Name of the event', resolve: (m) => value(m.event?.name) },
  { name: 'event_start', description: "Start of the event, in the event's time zone", resolve: (m) => eventDate(m, 'startsAt') },
  { name: 'event_end', description: "End of the event, in the event's time zone", resolve: (m) => eventDate(m, 'endsAt') },
  { name: 'event_venue', description: 'Venue of the event', resolve: (m) => value(m.event?.venue) },
  { name: 'organisation_name', description: 'Name of the organisation', resolve: (m) => value(m.organisation.name) },
];

for (const tag of TAGS) registerMergeTag({ ...tag, personal: false });
