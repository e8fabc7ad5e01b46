/**
 * An availability campaign: the organiser offers slots (days x daily hours, cut into slots of
 * one length) and each recipient of the campaign's link says which suit them. Days and hours are
 * wall-clock values in the event's time zone; only closesAt is an instant (UTC).
 */
export interface MeetingCampaign {
  id: string;
  orgId: string;
  eventId: string;
  name: string;
  /** YYYY-MM-DD. */
  firstDay: string;
  lastDay: string;
  /** HH:MM. */
  dayStarts: string;
  dayEnds: string;
  slotMinutes: number;
  closesAt: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MeetingCampaignInput {
  name: string;
  firstDay: string;
  lastDay: string;
  dayStarts: string;
  dayEnds: string;
  slotMinutes: number;
  /** UTC (the page converts from the event's time zone). */
  closesAt: string;
}

/** One slot, named by its local start: answers are stored under `key`. */
export interface Slot {
  /** `2026-09-14T09:30`: wall-clock start in the event's time zone. */
  key: string;
  day: string;
  start: string;
  end: string;
}

/** What one person said, and when they last said it. */
export interface Availability {
  answeredAt: string;
  /** Slot keys marked available (slots no longer offered are left out). */
  available: string[];
}

export interface GridPerson {
  participantId: string;
  name: string;
  email: string;
}

export interface GridRow extends GridPerson {
  answeredAt: string;
  available: ReadonlySet<string>;
}

/** The planners' view: everyone who answered, per slot, and who was sent the link but has not. */
export interface AvailabilityGrid {
  slots: Slot[];
  rows: GridRow[];
  /** Slot key -> how many people are available then. */
  counts: Record<string, number>;
  pending: GridPerson[];
}
