export type TemplateType = 'invitation' | 'credentials' | 'account_verification' | 'update_request' | 'reminder' | 'custom';

export interface EmailTemplatesTable {
  id: string;
  org_id: string;
  /** Null for an organisation-level template, usable in every event. */
  event_id: string | null;
  type: TemplateType;
  name: string;
  /** Liquid sources, rendered per recipient at send time. */
  subject: string;
  html: string;
  /** Null: the plain-text part is generated from the rendered HTML. */
  text: string | null;
  created_at: string;
  updated_at: string;
}

export interface TemplateLinksTable {
  org_id: string;
  /** An event id, or 'org' for the organisation-wide default. */
  scope: string;
  /** e.g. 'credentials.resend'. */
  action: string;
  template_id: string;
  updated_at: string;
}

export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'cancelled' | 'finished';

export interface CampaignsTable {
  id: string;
  org_id: string;
  event_id: string;
  template_id: string;
  name: string;
  /** JSON text: the audience definition (statuses, field values, explicit ids, saved filter). */
  audience: string;
  status: CampaignStatus;
  scheduled_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  recipient_count: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export type OutboxCategory = 'transactional' | 'campaign';
export type RecipientKind = 'participant' | 'contact' | 'staff';
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'bounced' | 'skipped' | 'cancelled';

/** One message to send. Never holds a rendered body: bodies are rendered at send time. */
export interface OutboxTable {
  id: string;
  org_id: string;
  event_id: string | null;
  campaign_id: string | null;
  template_id: string | null;
  category: OutboxCategory;
  /** Lower first: 0 for transactional mail, 10 for campaigns. */
  priority: number;
  recipient_kind: RecipientKind;
  recipient_id: string;
  to_email: string;
  to_name: string;
  /** JSON text: non-secret extra values for merge tags (never a credential). */
  data: string;
  status: OutboxStatus;
  attempts: number;
  /** When the row is due; while it is being sent, when its lease runs out. */
  next_attempt_at: string;
  claimed_by: string | null;
  claimed_until: string | null;
  message_id: string | null;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
}

export type SuppressionReason = 'hard_bounce' | 'unsubscribed' | 'invalid';
export type SuppressionScope = 'all' | 'marketing';

export interface EmailSuppressionsTable {
  org_id: string;
  email_key: string;
  reason: SuppressionReason;
  scope: SuppressionScope;
  /** What the receiving server said (hard bounces), or a note given through the API. One line, bounded. */
  detail: string | null;
  created_at: string;
}
