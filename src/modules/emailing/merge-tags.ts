import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import type { ServerKeys } from '../../lib/keyring.js';
import type { Event } from '../events/index.js';
import type { InlineImage } from '../mail-transport/index.js';
import type { RecipientData, TemplateType } from './emailing.types.js';

/** What a merge tag gets to produce its value for one recipient of one message. */
export interface MergeTagContext {
  /** For tags that mint credentials: they store the hash, the raw value goes only into the email. */
  db: Db;
  ctx: Ctx;
  /** The only base for links (never a request's Host header). */
  publicUrl: URL;
  /** For tags that read back a sealed value (a generated access code): derive the purpose key. */
  keys: ServerKeys;
  /** 'preview' renders for a staff member's screen: personal tags must not mint live credentials. */
  mode: 'send' | 'preview';
  orgId: string;
  organisation: { id: string; name: string };
  event: Event | null;
  template: { id: string; type: TemplateType };
  recipient: RecipientData;
  /** The outbox row being sent (null in previews): a credential minted per message can name it. */
  outboxId: string | null;
  /** Non-secret values the caller queued with the message. */
  data: Readonly<Record<string, string>>;
  /** The message's signed unsubscribe link, set by the worker for marketing template types. */
  unsubscribeUrl?: string | undefined;
}

export interface MergeTag {
  name: string;
  description: string;
  /** True when the value belongs to one person (a link, a code): "send test" checks they differ. */
  personal: boolean;
  /** Template types the tag may appear in; all types when absent. */
  types?: readonly TemplateType[] | undefined;
  resolve(ctx: MergeTagContext): Promise<string>;
  /**
   * For a tag that is an image in the HTML body (a QR code): `resolve` gives the text (subject,
   * text part) and this the markup and the images for that value. Only called when the rendered
   * HTML shows the tag, and never for previews.
   */
  inlineHtml?(value: string, ctx: MergeTagContext): Promise<InlineHtml>;
}

/** Trusted markup (not escaped) that shows `images` by `cid:`. */
export interface InlineHtml {
  html: string;
  images: InlineImage[];
}

/** Custom fields are read as `{{ fields.<key> }}`: a namespace, so no field key can shadow a tag. */
export const FIELDS_NAMESPACE = 'fields';
const TAG_NAME = /^[a-z][a-z0-9_]{0,39}$/;

const registry = new Map<string, MergeTag>();

/**
 * Adds a merge tag. Capabilities call this once when their module loads; the value is produced
 * per recipient at send time, and only for tags the template actually uses.
 */
export function registerMergeTag(tag: MergeTag): void {
  if (!TAG_NAME.test(tag.name) || tag.name === FIELDS_NAMESPACE) throw new Error(`invalid merge tag name "${tag.name}"`);
  if (registry.has(tag.name)) throw new Error(`merge tag "${tag.name}" is already registered`);
  registry.set(tag.name, Object.freeze({ ...tag }));
}

export function findMergeTag(name: string): MergeTag | undefined {
  return registry.get(name);
}

/** Tags usable in a template of this type (every tag when no type is given), by name. */
export function listMergeTags(type?: TemplateType): MergeTag[] {
  return [...registry.values()].filter((tag) => !type || !tag.types || tag.types.includes(type)).sort((a, b) => a.name.localeCompare(b.name));
}
