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
const eventDate = (m: MergeTagContext, at: 'startsAt' | 'endsAt') => value(m.event ? formatInZone(m.event[at], m.event.timeZone) : '');

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
