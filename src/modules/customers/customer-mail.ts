import type { Db } from '../../db/database.js';
import type { Ctx } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { expiryFor, mintCredential, type CredentialPurpose } from '../credentials/index.js';
import { enqueueEmail, registerEmailAction, registerMergeTag, templateForAction, TemplateRenderError, type MergeTagContext } from '../emailing/index.js';

export const VERIFY_ACTION = 'shop.account_verification';
export const EXISTS_ACTION = 'shop.account_exists';
export const RESET_ACTION = 'shop.password_reset';
export const EMAIL_CHANGED_ACTION = 'shop.email_changed_notice';

/** Shop links open under /verify/ (never linkable literally from a template): one page per token kind. */
export function verifyUrl(publicUrl: URL, token: string): string {
  return new URL(`/verify/${token}`, publicUrl).toString();
}

/**
 * A one-time link for the contact, bound to the address it is sent to (the contact's address
 * when the email is rendered) and to the shop it opens. If the address changes before the click,
 * the link is dead. Send tests get a test credential.
 */
async function contactLink(m: MergeTagContext, purpose: CredentialPurpose): Promise<string> {
  if (m.recipient.kind !== 'contact') throw new TemplateRenderError('this link can only be sent to a contact');
  const posId = m.data['pos_id'] ?? '';
  const { token } = await mintCredential(m.db, m.ctx, {
    purpose,
    orgId: m.orgId,
    eventId: null,
    subject: { type: 'contact', id: m.recipient.id, email: m.recipient.email },
    expiresAt: expiryFor({ purpose, now: m.ctx.clock.now(), event: null }),
    singleUse: true,
    outboxId: m.outboxId,
    data: { email_key: canonicalEmail(m.recipient.email)?.key ?? '', pos_id: posId, ...(m.data['clear_password'] === '1' ? { clear_password: '1' } : {}) },
    test: m.data['send_test'] === 'true',
  });
  return verifyUrl(m.publicUrl, token);
}

registerMergeTag({
  name: 'verification_link',
  description: "One-time link that validates the contact's email address (account verification emails; 24 hours)",
  personal: true,
  types: ['account_verification'],
  resolve: (m) => contactLink(m, 'email_verify'),
});

registerMergeTag({
  name: 'password_reset_link',
  description: 'One-time link to choose a new shop password (60 minutes)',
  personal: true,
  types: ['account_verification', 'custom'],
  resolve: (m) => contactLink(m, 'password_reset'),
});

registerEmailAction({
  name: VERIFY_ACTION,
  description: 'Shop account verification (new account, or a new email address)',
  types: ['account_verification'],
  fallback: {
    type: 'account_verification',
    name: 'Account verification (built-in)',
    subject: 'Confirm your email address for {{ organisation_name }}',
    html:
      '<p>Hello {{ first_name }},</p>' +
      '<p>Please confirm that {{ user_email }} is your address: your {{ organisation_name }} account opens once it is confirmed.</p>' +
      '<p><a href="{{ verification_link }}">Confirm my email address</a></p>' +
      '<p>The link works once, within 24 hours. If you did not create an account, ignore this email: nothing happens without the click.</p>',
  },
});

registerEmailAction({
  name: EXISTS_ACTION,
  description: 'Someone tried to sign up with an address that already has an account',
  types: ['account_verification'],
  fallback: {
    type: 'account_verification',
    name: 'Account already exists (built-in)',
    subject: 'You already have an account with {{ organisation_name }}',
    html:
      '<p>Hello {{ first_name }},</p>' +
      '<p>Someone, hopefully you, tried to create an account with {{ user_email }}. You already have one: just sign in.</p>' +
      '<p>Forgot your password? <a href="{{ password_reset_link }}">Choose a new one</a> (the link works once, within an hour).</p>' +
      '<p>If it was not you, ignore this email: your account is unchanged.</p>',
  },
});

registerEmailAction({
  name: RESET_ACTION,
  description: 'Shop password reset (also sent when an address without a password signs up)',
  types: ['account_verification', 'custom'],
  fallback: {
    type: 'account_verification',
    name: 'Password reset (built-in)',
    subject: 'Choose a password for {{ organisation_name }}',
    html:
      '<p>Hello {{ first_name }},</p>' +
      '<p>Someone, hopefully you, asked to choose a password for the {{ organisation_name }} account of {{ user_email }}.</p>' +
      '<p><a href="{{ password_reset_link }}">Choose my password</a></p>' +
      '<p>The link works once, within an hour. If you did not ask, ignore this email: nothing changes without the click.</p>',
  },
});

registerEmailAction({
  name: EMAIL_CHANGED_ACTION,
  description: 'Notice to the previous address when a shop account changes its email',
  types: ['account_verification', 'custom'],
  fallback: {
    type: 'account_verification',
    name: 'Email address changed (built-in)',
    subject: 'The email address of your {{ organisation_name }} account was changed',
    html:
      '<p>Hello {{ first_name }},</p>' +
      '<p>The email address of your {{ organisation_name }} account is no longer this one. If you did not change it, contact {{ organisation_name }} at once.</p>',
  },
});

export interface ContactMail {
  orgId: string;
  contact: { id: string; email: string; firstName: string; lastName: string };
  posId: string;
  /** The address to write to, when it is not the contact's (the previous one, for a notice). */
  to?: string;
  /** A template chosen by an operator (document type) instead of the one linked to the action. */
  templateId?: string;
  data?: Record<string, string>;
}

/** Queues one of the shop's emails inside the caller's transaction; the worker renders and mints. */
export async function sendContactMail(db: Db, ctx: Ctx, action: string, mail: ContactMail): Promise<void> {
  const templateId = mail.templateId ?? (await templateForAction(db, ctx, mail.orgId, null, action)).id;
  const name = [mail.contact.firstName, mail.contact.lastName].filter(Boolean).join(' ');
  await enqueueEmail(db, ctx, {
    orgId: mail.orgId,
    eventId: null,
    templateId,
    category: 'transactional',
    recipient: { kind: 'contact', id: mail.contact.id, email: mail.to ?? mail.contact.email, name },
    data: { pos_id: mail.posId, ...mail.data },
  });
}
