/** Sales channels: the internet ones carry shops; box office is for operators only. */
export type SalesChannelKind = 'internet_b2c' | 'internet_b2b' | 'internet_agency' | 'box_office';
export type PointOfSaleState = 'running' | 'closed';
export type EmailVerifiedVia = 'link' | 'sso' | 'merge' | 'operator';
export type ConnectionRelation = 'friends_family';

export interface SalesChannelsTable {
  id: string;
  org_id: string;
  name: string;
  kind: SalesChannelKind;
  created_at: string;
}

export interface PointsOfSaleTable {
  id: string;
  org_id: string;
  channel_id: string;
  name: string;
  /** The shop's path: /shop/<organisation slug>/<slug>. */
  slug: string;
  state: PointOfSaleState;
  /** Branding: the shop's heading, accent colour (#rrggbb) and welcome text. */
  heading: string;
  accent: string;
  welcome: string;
  created_at: string;
  updated_at: string;
}

export interface CustomerSessionsTable {
  id_hash: string;
  org_id: string;
  contact_id: string;
  pos_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface ContactConnectionsTable {
  org_id: string;
  contact_id: string;
  connected_id: string;
  relation: ConnectionRelation;
  created_at: string;
}

export interface SsoProvidersTable {
  id: string;
  org_id: string;
  name: string;
  issuer: string;
  client_id: string;
  /** lib/secret-box.ts under a key derived from TESSERA_ENCRYPTION_KEY. */
  client_secret_sealed: string;
  enabled: number;
  created_at: string;
}

export interface SsoIdentitiesTable {
  provider_id: string;
  subject: string;
  contact_id: string;
  email: string;
  created_at: string;
}
