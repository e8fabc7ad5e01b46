import type { Contact } from '../../modules/contacts/index.js';
import { formatDateTime } from './components.js';

const VIA: Record<string, string> = { link: 'by the emailed link', sso: 'by single sign-on', merge: 'by a contact merge', operator: 'by an operator' };
const KIND: Record<string, string> = { individual: 'Individual', structure: 'Structure', relay: 'Relay' };

export function kindLabel(kind: string): string {
  return KIND[kind] ?? kind;
}

export function contactName(contact: Pick<Contact, 'firstName' | 'lastName' | 'email'>): string {
  return [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email;
}

/**
 * The validation circle: green with a tick (validated), red with a cross (not validated). Shape
 * and text say it too, for people who do not see the colours and for screen readers.
 */
export function ValidationCircle({ contact }: { contact: Pick<Contact, 'emailStatus'> }) {
  const ok = contact.emailStatus === 'verified';
  const label = ok ? 'Email validated' : 'Email not validated';
  return (
    <span class={`vdot ${ok ? 'ok' : 'no'}`} role="img" aria-label={label} title={label} data-validated={ok ? 'yes' : 'no'}>
      {ok ? '✓' : '✕'}
    </span>
  );
}

/** Circle, then when and how the address was validated. */
export function ValidationLine({ contact }: { contact: Pick<Contact, 'emailStatus' | 'emailVerifiedAt' | 'emailVerifiedVia'> }) {
  return (
    <span class="validation">
      <ValidationCircle contact={contact} />{' '}
      {contact.emailStatus === 'verified' ? (
        <>
          Validated{contact.emailVerifiedAt ? ` on ${formatDateTime(contact.emailVerifiedAt)}` : ''}
          {contact.emailVerifiedVia ? ` ${VIA[contact.emailVerifiedVia] ?? contact.emailVerifiedVia}` : ''}
        </>
      ) : (
        'Not validated'
      )}
    </span>
  );
}

/** A contact shown elsewhere (connections, a participant's page, a structure's relays). */
export function ContactWidget({ orgId, contact }: { orgId: string; contact: Contact }) {
  return (
    <span class="contact-widget">
      <ValidationCircle contact={contact} /> <a href={`/admin/o/${orgId}/contacts/${contact.id}`}>{contactName(contact)}</a> <span class="muted">{contact.email}</span>
    </span>
  );
}
