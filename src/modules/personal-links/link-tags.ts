import { expiryFor, mintCredential, TEST_LINK_HOURS, type CredentialPurpose } from '../credentials/index.js';
import { registerMergeTag, TemplateRenderError, type MergeTagContext, type TemplateType } from '../emailing/index.js';
import { landingUrl } from './link-url.js';

export interface PersonalLinkTag {
  name: string;
  description: string;
  purpose: CredentialPurpose;
  types?: readonly TemplateType[] | undefined;
  /** Non-secret details stored with the credential (which form it opens). */
  data?: ((m: MergeTagContext) => Promise<Record<string, string>> | Record<string, string>) | undefined;
  /** When the credential stops working; by default derived from the purpose and the event. */
  expiresAt?: ((m: MergeTagContext) => Promise<string>) | undefined;
  singleUse?: boolean | undefined;
}

/**
 * Mints the credential behind a personal link for the message being sent, bound to the
 * recipient, the event, the purpose and the outbox row, and returns its URL. Called once per
 * message at send time; only the hash is stored. A send test (messages marked send_test, which
 * go to a staff address) gets a test credential: its page says it is a test and it opens nothing,
 * so no live key to a participant's data ever lands in a staff inbox.
 */
export async function mintLinkFor(m: MergeTagContext, spec: Omit<PersonalLinkTag, 'name' | 'description' | 'types'>): Promise<string> {
  if (m.recipient.kind !== 'participant' || !m.event || m.recipient.eventId !== m.event.id) {
    throw new TemplateRenderError('a personal link can only be sent to a participant of the event');
  }
  const test = m.data['send_test'] === 'true';
  const now = m.ctx.clock.now();
  const expiresAt = test
    ? new Date(now.getTime() + TEST_LINK_HOURS * 3_600_000).toISOString()
    : spec.expiresAt
      ? await spec.expiresAt(m)
      : expiryFor({ purpose: spec.purpose, now, event: m.event });
  const { token } = await mintCredential(m.db, m.ctx, {
    purpose: spec.purpose,
    orgId: m.orgId,
    eventId: m.event.id,
    subject: { type: 'participant', id: m.recipient.id, email: m.recipient.email },
    expiresAt,
    singleUse: spec.singleUse ?? false,
    outboxId: m.outboxId,
    data: spec.data ? await spec.data(m) : {},
    test,
  });
  return landingUrl(m.publicUrl, token);
}

/** Registers a merge tag whose value is a freshly minted personal link (one per message). */
export function registerPersonalLinkTag(spec: PersonalLinkTag): void {
  registerMergeTag({
    name: spec.name,
    description: spec.description,
    personal: true,
    types: spec.types,
    resolve: (m) => mintLinkFor(m, spec),
  });
}
