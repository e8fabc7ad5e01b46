import type { Card } from '../leads/index.js';

export interface SponsorLink {
  label: string;
  url: string;
}

export interface Sponsor {
  id: string;
  orgId: string;
  eventId: string;
  name: string;
  description: string;
  links: SponsorLink[];
  booth: string;
  /** Null without a logo; else its content type and version (SHA-256 prefix) for the URL. */
  logo: { type: LogoType; version: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** What a sponsor's own contacts may change. Booth and contacts stay with the organiser. */
export interface SponsorProfileInput {
  name: string;
  description: string;
  links: SponsorLink[];
}

export interface SponsorInput extends SponsorProfileInput {
  booth: string;
}

export type { SponsorContactRole } from '../../db/database.js';
import type { SponsorContactRole } from '../../db/database.js';

export interface SponsorContact {
  id: string;
  sponsorId: string;
  contactId: string;
  role: SponsorContactRole;
  email: string;
  firstName: string;
  lastName: string;
  createdAt: string;
}

/** Where a contact's permalinks stand, for the organiser (never the link itself). */
export interface PermalinkStatus {
  active: number;
  lastSentAt: string | null;
  lastUsedAt: string | null;
  openSessions: number;
}

export type LogoType = 'image/png' | 'image/jpeg' | 'image/webp';

export interface SponsorLogo {
  type: LogoType;
  bytes: Buffer;
  version: string;
}

/** The limited session a sponsor permalink opens: one sponsor's profile, nothing else. */
export interface SponsorSession {
  orgId: string;
  eventId: string;
  sponsorId: string;
  sponsorContactId: string;
  credentialId: string;
  email: string;
  /** Read with the session on every request: a role changed by the organiser applies at once. */
  role: SponsorContactRole;
  expiresAt: string;
}

export const SPONSOR_LIMITS = {
  nameMax: 120,
  descriptionMax: 4000,
  linksMax: 5,
  linkLabelMax: 60,
  urlMax: 500,
  boothMax: 40,
  /** Enough for a crisp logo; a photo of a poster is not a logo. */
  logoMaxBytes: 256 * 1024,
} as const;

/** A sponsor session lasts a working day idle and a week at most; the permalink opens another. */
/** An attendee's card collected at the booth, cut by the attendee's own card settings. */
export interface BoothLead {
  id: string;
  participantId: string;
  collectedAt: string;
  card: Card;
}

export const SPONSOR_SESSION = { idleMinutes: 12 * 60, absoluteMinutes: 7 * 24 * 60 } as const;
