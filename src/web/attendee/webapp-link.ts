import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ATTENDEE_COOKIE, setAttendeeCookie } from '../../http/attendee-session.js';
import type { Db } from '../../db/database.js';
import { DomainError } from '../../lib/errors.js';
import { endAttendeeSession, startAttendeeSession, type StartSessionInput } from '../../modules/attendee-sessions/index.js';
import { SIGNIN_MINUTES, type Credential } from '../../modules/credentials/index.js';
import { recordSignIn } from '../../modules/access-codes/index.js';
import { getParticipant } from '../../modules/participants/index.js';
import { appOpenTo } from '../../modules/webapp/index.js';
import { registerLinkPurpose } from './link-purposes.js';

/** The web app of an event: a clean URL, with no credential in it. */
export function appPath(eventId: string): string {
  return `/app/${eventId}`;
}

/**
 * Opens an attendee session in the attendee cookie and returns the app's URL. The session this
 * browser had before (another event, another person) ends: the cookie holds one at a time.
 */
export async function openAppSession(db: Db, app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, input: StartSessionInput): Promise<string> {
  const previous = request.cookies[ATTENDEE_COOKIE];
  if (previous) await endAttendeeSession(db, previous);
  const { token, session } = await startAttendeeSession(db, app.deps, input);
  setAttendeeCookie(app, reply, token, session);
  return appPath(input.eventId);
}

/** The participant behind a web app or sign-in credential, if the app is open to them. */
async function attendeeBehind(db: Db, credential: Credential): Promise<{ eventId: string; participantId: string }> {
  const eventId = credential.eventId;
  const participant = eventId ? await getParticipant(db, credential.orgId, eventId, credential.subjectId).catch(() => null) : null;
  if (!eventId || !participant) throw new DomainError('link_invalid', 'This link cannot be used');
  if (!appOpenTo(participant)) throw new DomainError('forbidden', 'The app is open to registered attendees. If you think you are registered, ask the organiser.');
  return { eventId, participantId: participant.id };
}

registerLinkPurpose({
  purpose: 'webapp',
  label: 'web app link',
  landing: ({ event, shortName }) => ({
    heading: `Continue as ${shortName}`,
    text: `This opens the ${event?.name ?? 'event'} app as ${shortName}, in this browser.`,
    button: `Continue as ${shortName}`,
  }),
  async redeem(db, app, request, reply, credential) {
    const { eventId, participantId } = await attendeeBehind(db, credential);
    await recordSignIn(db, app.deps, credential.orgId, eventId, participantId, 'magic_link');
    // The session dies with the link: revoking it or reaching its expiry signs the browser out.
    return openAppSession(db, app, request, reply, {
      kind: 'app',
      orgId: credential.orgId,
      eventId,
      participantId,
      credentialId: credential.id,
      notAfter: credential.expiresAt,
    });
  },
});

registerLinkPurpose({
  purpose: 'signin',
  label: 'sign-in link',
  landing: ({ event, shortName }) => ({
    heading: `Sign in to ${event?.name ?? 'the app'}`,
    text: `This signs ${shortName} in to the app. The link works once, within ${SIGNIN_MINUTES} minutes of being sent.`,
    button: `Sign in as ${shortName}`,
  }),
  async redeem(db, app, request, reply, credential) {
    const { eventId, participantId } = await attendeeBehind(db, credential);
    await recordSignIn(db, app.deps, credential.orgId, eventId, participantId, 'signin_link');
    return openAppSession(db, app, request, reply, { kind: 'app', orgId: credential.orgId, eventId, participantId, credentialId: credential.id });
  },
  renewal: (credential) => ({
    href: `${appPath(credential.eventId ?? '')}/sign-in`,
    text: 'Sign-in links work once and only for a few minutes. Ask for a new one on the sign-in page.',
    button: 'Get a new sign-in link',
  }),
});

// Sent instead of the code when the attendee chose their own (Tessera cannot send it again):
// it signs them in, and for a few minutes the code page asks for no current code.
registerLinkPurpose({
  purpose: 'access_code',
  label: 'link to set a new access code',
  landing: ({ event, shortName }) => ({
    heading: `Set a new access code`,
    text: `This signs ${shortName} in to the ${event?.name ?? 'event'} app and opens the page to choose a new access code. The link works once.`,
    button: 'Continue',
  }),
  async redeem(db, app, request, reply, credential) {
    const { eventId, participantId } = await attendeeBehind(db, credential);
    await recordSignIn(db, app.deps, credential.orgId, eventId, participantId, 'signin_link');
    const path = await openAppSession(db, app, request, reply, { kind: 'app', orgId: credential.orgId, eventId, participantId, credentialId: credential.id });
    return `${path}/access-code`;
  },
  renewal: (credential) => ({
    href: `${appPath(credential.eventId ?? '')}/sign-in`,
    text: 'This link works once and only for a day. Sign in with a sign-in link: from the app you can set a new code.',
    button: 'Get a sign-in link',
  }),
});
