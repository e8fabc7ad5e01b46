import { mintCredential, TEST_LINK_HOURS, UNTIL_REVOKED } from '../credentials/index.js';
import { registerEmailAction, registerMergeTag, TemplateRenderError, type MergeTagContext } from '../emailing/index.js';
import { landingUrl } from '../personal-links/index.js';
import { findSponsorContact } from './sponsor.repository.js';

export const SPONSOR_PERMALINK_ACTION = 'sponsors.permalink';

registerEmailAction({
  name: SPONSOR_PERMALINK_ACTION,
  description: "Sponsor permalink (an organiser sends a sponsor contact the link to edit their sponsor's profile)",
  types: ['credentials', 'custom'],
  fallback: {
    type: 'credentials',
    name: 'Sponsor permalink (built-in)',
    subject: 'Your sponsor page for {{ event_name }}',
    html:
      '<p>Hello {{ first_name }},</p>' +
      '<p>Thank you for sponsoring {{ event_name }}. This link opens your sponsor profile, where you can update your logo, description and links:</p>' +
      '<p><a href="{{ sponsor_link }}">Open your sponsor profile</a></p>' +
      '<p>The link works until the organiser withdraws it. It is yours: please do not forward this email.</p>',
  },
});

/**
 * A send test (to a staff address, for a participant) gets a test credential: its page says so
 * and it opens nothing, so no live sponsor key lands in a staff inbox.
 */
async function testLink(m: MergeTagContext): Promise<string> {
  const { token } = await mintCredential(m.db, m.ctx, {
    purpose: 'sponsor',
    orgId: m.orgId,
    eventId: m.event?.id ?? null,
    subject: { type: m.recipient.kind === 'participant' ? 'participant' : 'contact', id: m.recipient.id, email: m.recipient.email },
    expiresAt: new Date(m.ctx.clock.now().getTime() + TEST_LINK_HOURS * 3_600_000).toISOString(),
    singleUse: false,
    outboxId: m.outboxId,
    test: true,
  });
  return landingUrl(m.publicUrl, token);
}

// One credential per message, bound to the sponsor contact the message was queued for, checked
// again at send time: a contact removed since the message was queued gets no link.
registerMergeTag({
  name: 'sponsor_link',
  description: "Sponsor permalink: opens the sponsor's profile for editing, until revoked (sponsor permalink emails only)",
  personal: true,
  types: ['credentials', 'custom'],
  resolve: async (m) => {
    if (m.data['send_test'] === 'true') return testLink(m);
    const sponsorId = m.data['sponsor_id'];
    const sponsorContactId = m.data['sponsor_contact_id'];
    if (!sponsorId || !sponsorContactId || !m.event || m.recipient.kind !== 'contact') throw new TemplateRenderError('sponsor_link is only for sponsor permalink emails');
    const contact = await findSponsorContact(m.db, m.orgId, sponsorId, sponsorContactId);
    if (!contact || contact.event_id !== m.event.id || contact.contact_id !== m.recipient.id) throw new TemplateRenderError('this sponsor contact no longer exists');
    const { token } = await mintCredential(m.db, m.ctx, {
      purpose: 'sponsor',
      orgId: m.orgId,
      eventId: m.event.id,
      subject: { type: 'sponsor_contact', id: contact.id, email: m.recipient.email },
      expiresAt: UNTIL_REVOKED,
      singleUse: false,
      outboxId: m.outboxId,
      data: { sponsorId },
    });
    return landingUrl(m.publicUrl, token);
  },
});
