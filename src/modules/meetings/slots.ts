import type { MeetingCampaign, MeetingCampaignInput, Slot } from './meeting.types.js';

export const MAX_DAYS = 31;
export const MAX_SLOTS = 600;
export const SLOT_MINUTES_RANGE = { min: 5, max: 480 } as const;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Days since the epoch for a valid YYYY-MM-DD, else null. */
function dayNumber(day: string): number | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const [, y, m, d] = match.map(Number) as number[];
  const ms = Date.UTC(y!, m! - 1, d!);
  const check = new Date(ms);
  return check.getUTCMonth() === m! - 1 && check.getUTCDate() === d! ? ms / 86_400_000 : null;
}

function minutesOf(time: string): number | null {
  const match = TIME.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

const pad = (n: number) => String(n).padStart(2, '0');
const timeOf = (minutes: number) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;

/**
 * The slots a campaign offers, day by day, each starting at day_starts plus a whole number of
 * slots and ending by day_ends. Pure wall-clock arithmetic: the key is what the programme
 * prints, and the page turns it into an instant in the event's time zone when it needs one.
 */
export function slotsOf(c: Pick<MeetingCampaign, 'firstDay' | 'lastDay' | 'dayStarts' | 'dayEnds' | 'slotMinutes'>): Slot[] {
  const first = dayNumber(c.firstDay);
  const last = dayNumber(c.lastDay);
  const start = minutesOf(c.dayStarts);
  const end = minutesOf(c.dayEnds);
  if (first === null || last === null || start === null || end === null || c.slotMinutes < SLOT_MINUTES_RANGE.min) return [];
  const slots: Slot[] = [];
  for (let n = first; n <= last && n - first < MAX_DAYS; n++) {
    const day = new Date(n * 86_400_000).toISOString().slice(0, 10);
    for (let m = start; m + c.slotMinutes <= end; m += c.slotMinutes) {
      slots.push({ key: `${day}T${timeOf(m)}`, day, start: timeOf(m), end: timeOf(m + c.slotMinutes) });
    }
  }
  return slots;
}

export interface Problem {
  path: string;
  message: string;
}

/** Every reason the campaign's definition cannot be saved, by field. */
export function campaignProblems(input: MeetingCampaignInput): Problem[] {
  const problems: Problem[] = [];
  const name = input.name.trim();
  if (!name || name.length > 200) problems.push({ path: '/name', message: 'Give the campaign a name of at most 200 characters' });
  const first = dayNumber(input.firstDay);
  const last = dayNumber(input.lastDay);
  if (first === null) problems.push({ path: '/firstDay', message: 'Give the first day as a date' });
  if (last === null) problems.push({ path: '/lastDay', message: 'Give the last day as a date' });
  if (first !== null && last !== null && (last < first || last - first >= MAX_DAYS)) {
    problems.push({ path: '/lastDay', message: `The last day is on or after the first, at most ${MAX_DAYS} days in all` });
  }
  const start = minutesOf(input.dayStarts);
  const end = minutesOf(input.dayEnds);
  if (start === null) problems.push({ path: '/dayStarts', message: 'Give the time the first slot starts (HH:MM)' });
  if (end === null) problems.push({ path: '/dayEnds', message: 'Give the time the last slot ends (HH:MM)' });
  const length = input.slotMinutes;
  if (!Number.isInteger(length) || length < SLOT_MINUTES_RANGE.min || length > SLOT_MINUTES_RANGE.max) {
    problems.push({ path: '/slotMinutes', message: `A slot lasts ${SLOT_MINUTES_RANGE.min} to ${SLOT_MINUTES_RANGE.max} minutes` });
  } else if (start !== null && end !== null && start + length > end) {
    problems.push({ path: '/dayEnds', message: 'The day must be long enough for at least one slot' });
  }
  if (problems.length === 0 && slotsOf(input).length > MAX_SLOTS) {
    problems.push({ path: '/slotMinutes', message: `That makes more than ${MAX_SLOTS} slots: use longer slots, shorter days or fewer days` });
  }
  if (Number.isNaN(Date.parse(input.closesAt))) problems.push({ path: '/closesAt', message: 'Give the date and time answers close' });
  return problems;
}
