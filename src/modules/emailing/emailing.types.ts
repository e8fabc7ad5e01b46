import type {
  CampaignStatus,
  OutboxCategory,
  OutboxStatus,
  RecipientKind,
  SuppressionReason,
  SuppressionScope,
  TemplateType,
} from '../../db/database.js';
import type { FieldValues } from '../custom-fields/index.js';
import type { InlineImage } from '../mail-transport/index.js';

export type { CampaignStatus, OutboxCategory, OutboxStatus, RecipientKind, SuppressionReason, SuppressionScope, TemplateType };

export const TEMPLATE_TYPES: readonly TemplateType[] = ['invitation', 'credentials', 'account_verification', 'update_request', 'reminder', 'custom'];

export interface EmailTemplate {
  id: string;
  orgId: string;
  eventId: string | null;
  type: TemplateType;
  name: string;
  subject: string;
  html: string;
  /** Null when the plain-text part is generated from the rendered HTML. */
  text: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateInput {
  type: TemplateType;
  name: string;
  subject: string;
  html: string;
  text?: string | null | undefined;
}

/** Who a message is for. `id` points at the row whose data fills the merge tags. */
export interface RecipientRef {
  kind: RecipientKind;
  id: string;
  email: string;
  name: string;
}

/** A recipient's data as loaded at send time (fresh, not a copy taken when the row was queued). */
export interface RecipientData {
  kind: RecipientKind;
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  /** Custom field values (participants only; empty for contacts and staff). */
  fields: FieldValues;
  /** The participant's event, when the recipient is a participant. */
  eventId: string | null;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** Images the HTML shows by `cid:` (merge tags with inlineHtml); none when absent. */
  inline?: InlineImage[];
}

/** Transactional mail (sign-in links, verification, credentials) goes before campaigns. */
export const PRIORITY: Record<OutboxCategory, number> = { transactional: 0, campaign: 10 };

export interface EnqueueInput {
  orgId: string;
  eventId?: string | null | undefined;
  campaignId?: string | null | undefined;
  templateId: string;
  category: OutboxCategory;
  recipient: RecipientRef;
  /** Non-secret values for merge tags; a Tessera credential here is refused. */
  data?: Record<string, string> | undefined;
}

export interface Enqueued {
  id: string;
  status: 'queued' | 'skipped';
  /** Why the message was skipped: invalid address, hard bounce, unsubscribed. */
  reason: string | null;
}

export interface BulkEnqueueInput {
  orgId: string;
  eventId?: string | null | undefined;
  campaignId?: string | null | undefined;
  templateId: string;
  category: OutboxCategory;
  messages: Array<{ recipient: RecipientRef; data?: Record<string, string> | undefined }>;
}
