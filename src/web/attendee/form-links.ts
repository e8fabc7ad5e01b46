import type { FastifyInstance, FastifyRequest } from 'fastify';
import { attendeeOf, setAttendeeCookie } from '../../http/attendee-session.js';
import { startAttendeeSession } from '../../modules/attendee-sessions/index.js';
import type { Db } from '../../db/database.js';
import type { Credential } from '../../modules/credentials/index.js';
import { getPublicEvent } from '../../modules/events/index.js';
import { applyEmailChange, REGISTRATION_SLUG } from '../../modules/forms/index.js';
import { registerLinkPurpose } from './link-purposes.js';
import { attendeeActor } from './site-ui.js';

/** The form a secure form link opens; links minted before titles were stored say "the form". */
function formTitle(credential: Credential): string {
  if (credential.data['title']) return credential.data['title'];
  return (credential.data['form'] ?? REGISTRATION_SLUG) === REGISTRATION_SLUG ? 'the registration form' : 'the form';
}

/** "a***@e***.org": enough for the owner to recognise their address, little for anyone else. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${email.charAt(0)}***@${host.charAt(0)}***${tld}`;
}

/**
 * Opens a form session for the link's participant, scoped to what the link names, and never
 * longer than the link itself. Someone already signed in to the app as that same participant
 * keeps their app session (it opens every form, prefilled): a link must not sign them down.
 */
export async function openFormSession(db: Db, app: FastifyInstance, request: FastifyRequest, reply: Parameters<typeof setAttendeeCookie>[1], credential: Credential, scope: Record<string, string>): Promise<string> {
  const eventId = credential.eventId!;
  const current = await attendeeOf(app, request);
  if (current?.kind === 'app' && current.eventId === eventId && current.participantId === credential.subjectId) return eventId;
  const { token, session } = await startAttendeeSession(db, app.deps, {
    kind: 'form',
    orgId: credential.orgId,
    eventId,
    participantId: credential.subjectId,
    credentialId: credential.id,
    scope,
    notAfter: credential.expiresAt,
  });
  setAttendeeCookie(app, reply, token, session);
  return eventId;
}

registerLinkPurpose({
  purpose: 'form',
  label: 'secure form link',
  landing: ({ credential, event, shortName }) => ({
    heading: `Continue to ${formTitle(credential)}${event ? ` for ${event.name}` : ''}`,
    text: `This personal link opens ${formTitle(credential)} for ${shortName}, without signing in. For privacy the form starts empty: what you enter is saved to that registration.`,
    button: 'Continue',
  }),
  async redeem(db, app, request, reply, credential) {
    const slug = credential.data['form'] ?? REGISTRATION_SLUG;
    const eventId = await openFormSession(db, app, request, reply, credential, { form: slug });
    return `/e/${eventId}/forms/${slug}`;
  },
});

registerLinkPurpose({
  purpose: 'rsvp',
  label: 'RSVP link',
  landing: ({ event, shortName }) => ({
    heading: `Reply to the invitation${event ? ` to ${event.name}` : ''}`,
    text: `This personal link lets ${shortName} accept or decline the invitation, and give their registration details.`,
    button: 'Continue',
  }),
  async redeem(db, app, request, reply, credential) {
    const eventId = await openFormSession(db, app, request, reply, credential, { rsvp: '1' });
    return `/e/${eventId}/rsvp`;
  },
});

registerLinkPurpose({
  purpose: 'email_change',
  label: 'email confirmation link',
  landing: ({ credential, event, shortName }) => ({
    heading: `Confirm ${maskEmail(credential.data['email'] ?? '')} as your email${event ? ` for ${event.name}` : ''}`,
    text: `Pressing the button makes this the address of ${shortName}'s registration. The previous address is told, and signed-in sessions end.`,
    button: 'Confirm this address',
  }),
  async redeem(db, app, request, _reply, credential) {
    const event = await getPublicEvent(db, credential.eventId ?? '');
    const outcome = await applyEmailChange(db, app.deps, attendeeActor(request, credential.subjectId), event, credential);
    return `/e/${event.id}/email-change/${outcome === 'changed' ? 'done' : 'refused'}`;
  },
});
