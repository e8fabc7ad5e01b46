import type { PointOfSaleState, SalesChannelKind } from '../../db/database.js';

export type { PointOfSaleState, SalesChannelKind };

export const CHANNEL_KINDS: readonly SalesChannelKind[] = ['internet_b2c', 'internet_b2b', 'internet_agency', 'box_office'];
export const CHANNEL_LABELS: Record<SalesChannelKind, string> = {
  internet_b2c: 'Internet B2C',
  internet_b2b: 'Internet B2B',
  internet_agency: 'Internet agency',
  box_office: 'Box office',
};
/** Channels whose points of sale are shops customers reach on the web. */
export const SHOP_CHANNELS: readonly SalesChannelKind[] = ['internet_b2c', 'internet_b2b', 'internet_agency'];
export const POS_STATES: readonly PointOfSaleState[] = ['running', 'closed'];

export interface SalesChannel {
  id: string;
  orgId: string;
  name: string;
  kind: SalesChannelKind;
  createdAt: string;
}

export interface PointOfSale {
  id: string;
  orgId: string;
  channelId: string;
  channelKind: SalesChannelKind;
  name: string;
  slug: string;
  state: PointOfSaleState;
  heading: string;
  accent: string;
  welcome: string;
  createdAt: string;
  updatedAt: string;
}

export interface PointOfSaleInput {
  channelId: string;
  name: string;
  slug?: string | undefined;
  state?: PointOfSaleState | undefined;
  heading?: string | undefined;
  accent?: string | undefined;
  welcome?: string | undefined;
}

/** A shop as customers reach it: a running point of sale of an internet channel. */
export interface Shop {
  orgId: string;
  orgSlug: string;
  orgName: string;
  pos: PointOfSale;
  /** The shop's path, from which every shop page and link is built. */
  path: string;
}
