import type { Kysely, Transaction } from 'kysely';
import type { AccessCodesTable, SignInsTable } from './tables/access-codes.table.js';
import type { AttentionNotesTable, CheckinAdmissionsTable, CheckinConflictsTable, CheckinsTable, EventSessionsTable } from './tables/checkin.table.js';
import type { BadgeLayoutsTable } from './tables/badges.table.js';
import type {
  CampaignsTable,
  EmailSuppressionsTable,
  EmailTemplatesTable,
  OutboxTable,
  TemplateLinksTable,
} from './tables/emailing.table.js';
import type { EventsTable, CustomFieldsTable } from './tables/events.table.js';
import type { RsvpAnswersTable } from './tables/forms.table.js';
import type { LeadCardsTable, LeadExchangesTable } from './tables/leads.table.js';
import type { MailboxMessagesTable, MailboxRecipientsTable } from './tables/mailbox.table.js';
import type { MeetingAnswersTable, MeetingCampaignsTable, MeetingRecipientsTable } from './tables/meetings.table.js';
import type { AttendeeSessionsTable, CredentialsTable, EventFormsTable } from './tables/personal-links.table.js';
import type { MembershipsTable, OrganisationsTable } from './tables/organisations.table.js';
import type { ContactsTable, ParticipantsTable } from './tables/people.table.js';
import type { QrCodesTable, QrEventKeysTable } from './tables/qr-codes.table.js';
import type { SponsorContactsTable, SponsorLeadsTable, SponsorSessionsTable, SponsorsTable } from './tables/sponsors.table.js';
import type { ApiKeysTable, AuditLogTable, IdempotencyKeysTable, ImportsTable } from './tables/platform.table.js';
import type { ContactConnectionsTable, CustomerSessionsTable, PointsOfSaleTable, SalesChannelsTable, SsoIdentitiesTable, SsoProvidersTable } from './tables/shop.table.js';
import type { SetupTokensTable, StaffSessionsTable, StaffUsersTable } from './tables/staff.table.js';

export interface Database {
  organisations: OrganisationsTable;
  memberships: MembershipsTable;
  staff_users: StaffUsersTable;
  staff_sessions: StaffSessionsTable;
  setup_tokens: SetupTokensTable;
  events: EventsTable;
  custom_fields: CustomFieldsTable;
  contacts: ContactsTable;
  participants: ParticipantsTable;
  audit_log: AuditLogTable;
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  imports: ImportsTable;
  email_templates: EmailTemplatesTable;
  template_links: TemplateLinksTable;
  campaigns: CampaignsTable;
  outbox: OutboxTable;
  email_suppressions: EmailSuppressionsTable;
  mailbox_messages: MailboxMessagesTable;
  mailbox_recipients: MailboxRecipientsTable;
  credentials: CredentialsTable;
  attendee_sessions: AttendeeSessionsTable;
  event_forms: EventFormsTable;
  rsvp_answers: RsvpAnswersTable;
  access_codes: AccessCodesTable;
  sign_ins: SignInsTable;
  qr_event_keys: QrEventKeysTable;
  qr_codes: QrCodesTable;
  event_sessions: EventSessionsTable;
  attention_notes: AttentionNotesTable;
  checkins: CheckinsTable;
  checkin_admissions: CheckinAdmissionsTable;
  checkin_conflicts: CheckinConflictsTable;
  badge_layouts: BadgeLayoutsTable;
  lead_cards: LeadCardsTable;
  lead_exchanges: LeadExchangesTable;
  meeting_campaigns: MeetingCampaignsTable;
  meeting_recipients: MeetingRecipientsTable;
  meeting_answers: MeetingAnswersTable;
  sponsors: SponsorsTable;
  sponsor_contacts: SponsorContactsTable;
  sponsor_sessions: SponsorSessionsTable;
  sponsor_leads: SponsorLeadsTable;
  sales_channels: SalesChannelsTable;
  points_of_sale: PointsOfSaleTable;
  customer_sessions: CustomerSessionsTable;
  contact_connections: ContactConnectionsTable;
  sso_providers: SsoProvidersTable;
  sso_identities: SsoIdentitiesTable;
}

export type Dialect = 'sqlite' | 'postgres';

/** The database handle or an open transaction: repositories accept either. */
export type Db = Kysely<Database> | Transaction<Database>;

export type * from './tables/access-codes.table.js';
export type * from './tables/checkin.table.js';
export type * from './tables/badges.table.js';
export type * from './tables/emailing.table.js';
export type * from './tables/events.table.js';
export type * from './tables/forms.table.js';
export type * from './tables/leads.table.js';
export type * from './tables/mailbox.table.js';
export type * from './tables/meetings.table.js';
export type * from './tables/organisations.table.js';
export type * from './tables/people.table.js';
export type * from './tables/personal-links.table.js';
export type * from './tables/platform.table.js';
export type * from './tables/qr-codes.table.js';
export type * from './tables/sponsors.table.js';
export type * from './tables/shop.table.js';
export type * from './tables/staff.table.js';
