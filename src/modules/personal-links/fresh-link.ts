import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { systemActor, type Ctx } from '../../lib/context.js';
import { audit } from '../audit/index.js';
import { type Credential, type CredentialPurpose } from '../credentials/index.js';
import { enqueueEmail, registerEmailAction, registerMergeTag, TemplateRenderError } from '../emailing/index.js';
import { templateForAction } from '../emailing/index.js';
import { mintLinkFor } from './link-tags.js';

export const FRESH_LINK_ACTION = 'links.fresh_link';

// Purposes an expired or revoked link may be renewed for by email. One-time and staff-only
// credentials (sign-in, preview, email change) are asked for again where they started.
const RENEWABLE: readonly CredentialPurpose[] = ['webapp', 'form', 'rsvp', 'meeting'];
/** One fresh link per link and person in this window, however often the button is pressed. */
const RENEW_WINDOW_MS = 5 * 60_000;

registerEmailAction({
  name: FRESH_LINK_ACTION,
  description: 'Fresh personal link (someone opened an expired or revoked link and asked for a new one)',
  types: ['update_request', 'custom'],
  fallback: {
    type: 'custom',
    name: 'Your new link (built-in)',
    subject: 'Your new link for {{ event_name }}',
    html: '<p>Hello {{ first_name }},</p><p>You asked for a new link for {{ event_name }}. Here it is:</p><p><a href="{{ personal_link }}">Open {{ event_name }}</a></p><p>It works for you only: please do not forward this email.</p>',
  },
});

registerMergeTag({
  name: 'personal_link',
  description: 'A fresh personal link of the kind the recipient asked for (fresh-link emails only)',
  personal: true,
  types: ['update_request', 'custom'],
  resolve: async (m) => {
    const purpose = m.data['link_purpose'] as CredentialPurpose | undefined;
    if (!purpose || !RENEWABLE.includes(purpose)) throw new TemplateRenderError('personal_link needs a fresh-link request');
    const form = m.data['link_form'];
    return mintLinkFor(m, { purpose, data: (): Record<string, string> => (form ? { form } : {}) });
  },
});

/**
 * Emails a fresh link of the same kind to the address the old one was bound to, and only there:
 * whoever presses the button learns nothing and receives nothing. Returns whether a message was
 * queued (false for kinds that are not renewed this way, or a repeat within the window).
 */
export async function sendFreshLink(db: Kysely<Database>, ctx: Ctx, credential: Credential): Promise<boolean> {
  if (!RENEWABLE.includes(credential.purpose) || credential.subjectType !== 'participant' || !credential.eventId || credential.test) return false;
  const since = new Date(ctx.clock.now().getTime() - RENEW_WINDOW_MS).toISOString();
  // The audit entry written with each fresh link is the record of the last one (indexed by target).
  const recent = await db
    .selectFrom('audit_log')
    .select('data')
    .where('org_id', '=', credential.orgId)
    .where('target_type', '=', 'participant')
    .where('target_id', '=', credential.subjectId)
    .where('action', '=', 'credential.fresh_link_sent')
    .where('created_at', '>=', since)
    .execute();
  if (recent.some((r) => (JSON.parse(r.data) as { purpose?: string }).purpose === credential.purpose)) return false;
  const eventId = credential.eventId;
  return db.transaction().execute(async (trx) => {
    const template = await templateForAction(trx, ctx, credential.orgId, eventId, FRESH_LINK_ACTION);
    const data: Record<string, string> = { link_purpose: credential.purpose };
    if (credential.data['form']) data['link_form'] = credential.data['form'];
    await enqueueEmail(trx, ctx, {
      orgId: credential.orgId,
      eventId,
      templateId: template.id,
      category: 'transactional',
      recipient: { kind: 'participant', id: credential.subjectId, email: credential.email, name: '' },
      data,
    });
    await audit(trx, ctx, systemActor, {
      orgId: credential.orgId,
      action: 'credential.fresh_link_sent',
      target: { type: 'participant', id: credential.subjectId },
      data: { credentialId: credential.id, purpose: credential.purpose },
    });
    return true;
  });
}
