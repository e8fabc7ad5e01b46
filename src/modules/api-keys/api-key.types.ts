export interface ApiKey {
  id: string;
  orgId: string;
  name: string;
  /** The first characters of the key (`tsr_apikey_xxxxx`), enough to tell keys apart, useless to an attacker. */
  displayPrefix: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What a verified request carries: never the key itself. */
export interface ApiKeyPrincipal {
  id: string;
  orgId: string;
  name: string;
}

export const API_KEY_KIND = 'apikey';
export const DISPLAY_PREFIX_LENGTH = 16;
export const MAX_KEY_NAME_LENGTH = 100;
