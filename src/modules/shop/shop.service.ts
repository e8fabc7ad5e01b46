import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { isId, newId } from '../../lib/ids.js';
import { slugify } from '../../lib/text.js';
import { audit } from '../audit/index.js';
import { findOrganisationBySlug, getOrganisation } from '../organisations/index.js';
import {
  channelFromRow,
  findChannel,
  findChannels,
  findPointOfSale,
  findPointOfSaleBySlug,
  findPointsOfSale,
  insertChannel,
  insertPointOfSale,
  posFromRow,
  updatePointOfSaleRow,
} from './shop.repository.js';
import { CHANNEL_KINDS, POS_STATES, SHOP_CHANNELS, type PointOfSale, type PointOfSaleInput, type SalesChannel, type SalesChannelKind, type Shop } from './shop.types.js';

const ACCENT = /^#[0-9a-f]{6}$/i;

function invalid(path: string, message: string): DomainError {
  return new DomainError('validation_failed', message, [{ path: `/${path}`, message }]);
}

export async function createSalesChannel(db: Db, ctx: Ctx, actor: Actor, orgId: string, input: { name: string; kind: SalesChannelKind }): Promise<SalesChannel> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw invalid('name', 'A name of 1 to 100 characters is required');
  if (!CHANNEL_KINDS.includes(input.kind)) throw invalid('kind', 'Choose a kind of channel');
  const row = { id: newId(ctx.clock, ctx.random), org_id: orgId, name, kind: input.kind, created_at: ctx.clock.now().toISOString() };
  await insertChannel(db, row);
  await audit(db, ctx, actor, { orgId, action: 'sales_channel.created', target: { type: 'sales_channel', id: row.id }, data: { name, kind: input.kind } });
  return channelFromRow(row);
}

export async function listSalesChannels(db: Db, orgId: string): Promise<SalesChannel[]> {
  return (await findChannels(db, orgId)).map(channelFromRow);
}

export async function listPointsOfSale(db: Db, orgId: string): Promise<PointOfSale[]> {
  return (await findPointsOfSale(db, orgId)).map(posFromRow);
}

export async function getPointOfSale(db: Db, orgId: string, id: string): Promise<PointOfSale> {
  const row = isId(id) ? await findPointOfSale(db, orgId, id) : undefined;
  if (!row) throw new DomainError('not_found', 'Point of sale not found');
  return posFromRow(row);
}

function checked(input: PointOfSaleInput) {
  const name = input.name.trim();
  if (!name || name.length > 100) throw invalid('name', 'A name of 1 to 100 characters is required');
  const slug = slugify(input.slug?.trim() || name);
  if (!slug || slug.length > 60) throw invalid('slug', 'The address needs letters or digits (at most 60)');
  const state = input.state ?? 'running';
  if (!POS_STATES.includes(state)) throw invalid('state', 'Choose running or closed');
  const accent = input.accent?.trim() || '#1f5fbf';
  if (!ACCENT.test(accent)) throw invalid('accent', 'The colour is #rrggbb, e.g. #1f5fbf');
  const heading = (input.heading?.trim() || name).slice(0, 120);
  const welcome = (input.welcome ?? '').trim();
  if (welcome.length > 2000) throw invalid('welcome', 'The welcome text is at most 2,000 characters');
  return { name, slug, state, accent: accent.toLowerCase(), heading, welcome };
}

export async function createPointOfSale(db: Db, ctx: Ctx, actor: Actor, orgId: string, input: PointOfSaleInput): Promise<PointOfSale> {
  const value = checked(input);
  const channel = isId(input.channelId) ? await findChannel(db, orgId, input.channelId) : undefined;
  if (!channel) throw invalid('channelId', 'Choose a sales channel');
  if (await findPointOfSaleBySlug(db, orgId, value.slug)) throw invalid('slug', 'Another point of sale uses this address');
  const now = ctx.clock.now().toISOString();
  const id = newId(ctx.clock, ctx.random);
  await insertPointOfSale(db, { id, org_id: orgId, channel_id: channel.id, ...value, created_at: now, updated_at: now });
  await audit(db, ctx, actor, { orgId, action: 'point_of_sale.created', target: { type: 'point_of_sale', id }, data: { name: value.name, slug: value.slug, state: value.state } });
  return getPointOfSale(db, orgId, id);
}

export async function updatePointOfSale(db: Db, ctx: Ctx, actor: Actor, orgId: string, id: string, input: Omit<PointOfSaleInput, 'channelId'>): Promise<PointOfSale> {
  const current = await getPointOfSale(db, orgId, id);
  const value = checked({ ...input, channelId: current.channelId });
  const other = await findPointOfSaleBySlug(db, orgId, value.slug);
  if (other && other.id !== id) throw invalid('slug', 'Another point of sale uses this address');
  await updatePointOfSaleRow(db, orgId, id, { ...value, updated_at: ctx.clock.now().toISOString() });
  await audit(db, ctx, actor, { orgId, action: 'point_of_sale.updated', target: { type: 'point_of_sale', id }, data: { state: value.state } });
  return getPointOfSale(db, orgId, id);
}

/**
 * The shop at /shop/<organisation>/<point of sale>: only a running point of sale of an internet
 * channel is one. Anything else is "not found", never "closed shop of organisation X".
 */
export async function findShop(db: Db, orgSlug: string, posSlug: string): Promise<Shop | null> {
  const org = await findOrganisationBySlug(db, orgSlug);
  const row = org ? await findPointOfSaleBySlug(db, org.id, posSlug) : undefined;
  if (!org || !row) return null;
  const pos = posFromRow(row);
  if (pos.state !== 'running' || !SHOP_CHANNELS.includes(pos.channelKind)) return null;
  return { orgId: org.id, orgSlug: org.slug, orgName: org.name, pos, path: shopPath(org.slug, pos.slug) };
}

/** The shop of a point of sale (verification emails link to it), or null when it is not open. */
export async function shopOf(db: Db, orgId: string, posId: string): Promise<Shop | null> {
  const row = isId(posId) ? await findPointOfSale(db, orgId, posId) : undefined;
  if (!row) return null;
  const org = await getOrganisation(db, orgId);
  const pos = posFromRow(row);
  if (pos.state !== 'running' || !SHOP_CHANNELS.includes(pos.channelKind)) return null;
  return { orgId, orgSlug: org.slug, orgName: org.name, pos, path: shopPath(org.slug, pos.slug) };
}

export function shopPath(orgSlug: string, posSlug: string): string {
  return `/shop/${orgSlug}/${posSlug}`;
}

/**
 * Points of sale an operator may choose when creating a contact (the verification email links to
 * that shop): running ones of B2C channels for individuals; of internet agency, B2B and B2C
 * channels for structures and relays.
 */
export async function pointsOfSaleForContactKind(db: Db, orgId: string, kind: 'individual' | 'structure' | 'relay'): Promise<PointOfSale[]> {
  const allowed: readonly SalesChannelKind[] = kind === 'individual' ? ['internet_b2c'] : ['internet_agency', 'internet_b2b', 'internet_b2c'];
  return (await listPointsOfSale(db, orgId)).filter((pos) => pos.state === 'running' && allowed.includes(pos.channelKind));
}
