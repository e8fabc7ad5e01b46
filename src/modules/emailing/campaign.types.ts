import type { CampaignStatus, OutboxStatus } from '../../db/database.js';
import type { ParticipantStatus } from '../participants/index.js';

/**
 * Who a campaign goes to. Either an explicit selection (`ids`: exactly those participants of the
 * event), or filters as on the participants list: statuses (none = every status), custom field
 * values (all must match), and the list's search text.
 */
export interface CampaignAudience {
  ids: string[];
  statuses: ParticipantStatus[];
  fields: Record<string, string>;
  q: string;
}

export interface Campaign {
  id: string;
  orgId: string;
  eventId: string;
  templateId: string;
  name: string;
  audience: CampaignAudience;
  status: CampaignStatus;
  /** UTC; null until scheduled (or sent now). */
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Messages written when the campaign started (queued and skipped). */
  recipientCount: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CampaignInput {
  name: string;
  templateId: string;
  audience: CampaignAudience;
}

/** Messages of a campaign by status; `paused` counts queued ones held back by a pause. */
export type CampaignProgress = Record<OutboxStatus, number> & { paused: number; total: number };

/** One recipient's message, for the campaign page. */
export interface CampaignMessage {
  id: string;
  participantId: string;
  email: string;
  name: string;
  status: OutboxStatus;
  /** True for a queued message held back because the campaign is paused. */
  paused: boolean;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  updatedAt: string;
}

export interface CampaignMessagePage {
  items: CampaignMessage[];
  /** The id to pass as `after` for the next page, or null on the last page. */
  next: string | null;
}
