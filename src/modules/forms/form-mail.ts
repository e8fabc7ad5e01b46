import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { expiryFor, mintCredential, TEST_LINK_HOURS } from '../credentials/index.js';
import { enqueueEmail, registerEmailAction, registerMergeTag, templateForAction, TemplateRenderError, type MergeTagContext } from '../emailing/index.js';
import type { Event } from '../events/index.js';
import type { Participant } from '../participants/index.js';
import { landingUrl, mintLinkFor } from '../personal-links/index.js';
import { findFormForSlug, updateLinkForm } from './form.service.js';
import { REGISTRATION_SLUG, type EventForm } from './form.types.js';

export const KNOWN_EMAIL_ACTION = 'registration.known_email';
export const REGISTERED_ACTION = 'registration.confirmed';
export const EMAIL_CHANGE_ACTION = 'registration.email_change';
export const EMAIL_CHANGED_ACTION = 'registration.email_changed';

/**
 * Queues one of these actions' emails to a participant, inside the caller's transaction. The
 * address is passed apart: a new address being confirmed is not yet the one on file.
 */
export async function mailParticipant(trx: Db, ctx: Ctx, event: Event, participant: Participant, action: string, email: string, data: Record<string, string>): Promise<void> {
  const template = await templateForAction(trx, ctx, event.orgId, event.id, action);
  await enqueueEmail(trx, ctx, {
    orgId: event.orgId,
    eventId: event.id,
    templateId: template.id,
    category: 'transactional',
    recipient: { kind: 'participant', id: participant.id, email, name: `${participant.firstName} ${participant.lastName}`.trim() },
    data,
  });
}

function eventOf(m: MergeTagContext) {
  if (!m.event) throw new TemplateRenderError('a secure form link needs an event');
  return m.event;
}

/**
 * A secure form link for this message's recipient: a 'form' credential naming the form, alive
 * until the form closes (or the event ends when it never does). The title rides along so the
 * landing page can say which form it opens without another lookup.
 */
async function formLink(m: MergeTagContext, form: EventForm): Promise<string> {
  const event = eventOf(m);
  return mintLinkFor(m, {
    purpose: 'form',
    data: () => ({ form: form.slug, title: form.title }),
    expiresAt: async () => expiryFor({ purpose: 'form', now: m.ctx.clock.now(), event, closesAt: form.closesAt }),
  });
}

registerMergeTag({
  name: 'registration_link',
  description: 'Secure link to the registration form: an imported or invited participant registers without signing in (never prefilled)',
  personal: true,
  resolve: async (m) => formLink(m, (await findFormForSlug(m.db, m.orgId, eventOf(m).id, REGISTRATION_SLUG))!),
});

registerMergeTag({
  name: 'update_link',
  description: "Secure link to the event's first update form (the registration form when there is none): a participant updates their data without signing in",
  personal: true,
  resolve: async (m) => formLink(m, await updateLinkForm(m.db, m.orgId, eventOf(m).id)),
});

registerMergeTag({
  name: 'form_link',
  description: 'Secure link to the form the message was sent for (registration emails only)',
  personal: true,
  types: ['custom', 'update_request', 'credentials'],
  resolve: async (m) => {
    const slug = m.data['form'];
    const form = slug ? await findFormForSlug(m.db, m.orgId, eventOf(m).id, slug) : null;
    if (!form) throw new TemplateRenderError('form_link is only for registration emails');
    return formLink(m, form);
  },
});

registerMergeTag({
  name: 'rsvp_link',
  description: 'Personal RSVP link: the invited participant accepts or declines and updates their data, until RSVP closes (the event start by default)',
  personal: true,
  resolve: (m) => mintLinkFor(m, { purpose: 'rsvp' }),
});

// The confirmation goes to the NEW address, so the credential is bound to it, not to the address
// on file: only the owner of the new mailbox can make the change.
registerMergeTag({
  name: 'email_change_link',
  description: 'One-time link confirming a new email address, valid 24 hours (email change confirmations only)',
  personal: true,
  types: ['account_verification'],
  resolve: async (m) => {
    const test = m.data['send_test'] === 'true';
    const email = test ? m.recipient.email : m.data['new_email'];
    if (!email || !m.event || m.recipient.kind !== 'participant') throw new TemplateRenderError('email_change_link is only for email change confirmations');
    const now = m.ctx.clock.now();
    const { token } = await mintCredential(m.db, m.ctx, {
      purpose: 'email_change',
      orgId: m.orgId,
      eventId: m.event.id,
      subject: { type: 'participant', id: m.recipient.id, email },
      expiresAt: test ? new Date(now.getTime() + TEST_LINK_HOURS * 3_600_000).toISOString() : expiryFor({ purpose: 'email_change', now, event: m.event }),
      singleUse: true,
      outboxId: m.outboxId,
      data: { email },
      test,
    });
    return landingUrl(m.publicUrl, token);
  },
});

const NOT_FORWARD = '<p>The link works for you only: please do not forward this email.</p>';

registerEmailAction({
  name: KNOWN_EMAIL_ACTION,
  description: 'Someone entered an address already on the event on the public registration page (sends that address its secure link)',
  types: ['custom', 'update_request'],
  fallback: {
    type: 'custom',
    name: 'Already on the list (built-in)',
    subject: 'Your registration for {{ event_name }}',
    html:
      '<p>Hello {{ first_name }},</p>' +
      "<p>Someone, probably you, entered this address on the registration page of {{ event_name }}. It is already on the event's list, so nothing new was created.</p>" +
      '<p>Use your personal link to complete or update your registration: <a href="{{ form_link }}">Open my registration</a></p>' +
      `<p>If it was not you, ignore this email: nothing has changed.</p>${NOT_FORWARD}`,
  },
});

registerEmailAction({
  name: REGISTERED_ACTION,
  description: 'Confirmation to a person who registered on the public registration page',
  types: ['custom', 'credentials'],
  fallback: {
    type: 'custom',
    name: 'Registration confirmed (built-in)',
    subject: 'You are registered for {{ event_name }}',
    html:
      '<p>Hello {{ first_name }},</p>' +
      '<p>Thank you for registering for {{ event_name }} ({{ event_start }}).</p>' +
      `<p>To change your details later, use your personal link: <a href="{{ form_link }}">Update my registration</a></p>${NOT_FORWARD}`,
  },
});

registerEmailAction({
  name: EMAIL_CHANGE_ACTION,
  description: 'Confirmation link sent to a new email address entered on a form (the address changes only once it is used)',
  types: ['account_verification'],
  fallback: {
    type: 'account_verification',
    name: 'Confirm a new email address (built-in)',
    subject: 'Confirm your new email address for {{ event_name }}',
    html:
      '<p>Hello {{ first_name }},</p>' +
      '<p>You asked to use this address for your registration to {{ event_name }}. Until you confirm it, your previous address stays in use.</p>' +
      '<p><a href="{{ email_change_link }}">Confirm this address</a></p>' +
      '<p>The link works once, within 24 hours. If you did not ask for this, ignore this email.</p>',
  },
});

registerEmailAction({
  name: EMAIL_CHANGED_ACTION,
  description: 'Notice to the previous address once a new email address was confirmed',
  types: ['custom', 'account_verification'],
  fallback: {
    type: 'custom',
    name: 'Email address changed (built-in)',
    subject: 'Your email address for {{ event_name }} was changed',
    html:
      '<p>Hello {{ first_name }},</p>' +
      '<p>The email address of your registration for {{ event_name }} was replaced with a new one, confirmed from that new address. Emails about the event now go there.</p>' +
      '<p>If you did not do this, contact the organiser of {{ event_name }} at once.</p>',
  },
});
