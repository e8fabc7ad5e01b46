import type { Db } from '../../db/database.js';
import { systemActor, type Actor, type Ctx } from '../../lib/context.js';
import { canonicalEmail, type CanonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { endParticipantSessions } from '../attendee-sessions/index.js';
import { audit, listAuditEntries } from '../audit/index.js';
import { revokeCredentials, type Credential } from '../credentials/index.js';
import type { Event } from '../events/index.js';
import { findParticipantByEmail, getParticipant, updateParticipant, type Participant } from '../participants/index.js';
import { EMAIL_CHANGE_ACTION, EMAIL_CHANGED_ACTION, mailParticipant } from './form-mail.js';

/** Confirmation emails one participant can cause per day: a form is not a way to mail strangers. */
const MAX_REQUESTS_PER_DAY = 5;
const DAY_MS = 24 * 3_600_000;

/**
 * Sends a one-time confirmation link to the new address; nothing changes until it is used.
 * Earlier unused confirmation links of the participant stop working, so only the latest request
 * can go through. When another participant of the event has the address, nothing is sent, and the
 * form answers the same: it must not tell whoever holds the link who else is registered.
 */
export async function requestEmailChange(db: Db, ctx: Ctx, actor: Actor, event: Event, participant: Participant, wanted: CanonicalEmail): Promise<void> {
  const since = new Date(ctx.clock.now().getTime() - DAY_MS).toISOString();
  const recent = await listAuditEntries(db, { orgId: event.orgId, targetType: 'participant', targetId: participant.id, action: 'participant.email_change_requested', limit: 50 });
  const taken = (await findParticipantByEmail(db, event.orgId, event.id, wanted.email)) !== null;
  const throttled = recent.filter((e) => e.createdAt >= since && e.data['sent'] === true).length >= MAX_REQUESTS_PER_DAY;
  const send = !taken && !throttled;
  if (send) {
    await revokeCredentials(db, ctx, systemActor, event.orgId, { subject: { type: 'participant', id: participant.id }, eventId: event.id, purpose: 'email_change', reason: 'superseded' });
    await mailParticipant(db, ctx, event, participant, EMAIL_CHANGE_ACTION, wanted.email, { new_email: wanted.email });
  }
  await audit(db, ctx, actor, { orgId: event.orgId, action: 'participant.email_change_requested', target: { type: 'participant', id: participant.id }, data: { eventId: event.id, sent: send } });
}

export type EmailChangeOutcome = 'changed' | 'taken' | 'gone';

/**
 * Applies a confirmed address change (the one-time credential has been used by now): the new
 * address replaces the old one, every session the participant had is ended, and the old address
 * is told. Refused when someone else has taken the address since the request.
 */
export async function applyEmailChange(db: Db, ctx: Ctx, actor: Actor, event: Event, credential: Credential): Promise<EmailChangeOutcome> {
  const wanted = canonicalEmail(credential.data['email']);
  if (!wanted || credential.purpose !== 'email_change' || credential.eventId !== event.id) return 'gone';
  let participant: Participant;
  try {
    participant = await getParticipant(db, event.orgId, event.id, credential.subjectId);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'not_found') return 'gone';
    throw err;
  }
  if (participant.email.toLowerCase() === wanted.key) return 'changed';
  const holder = await findParticipantByEmail(db, event.orgId, event.id, wanted.email);
  if (holder && holder.id !== participant.id) return 'taken';
  try {
    await updateParticipant(db, ctx, actor, event.orgId, event.id, participant.id, { email: wanted.email });
  } catch (err) {
    // The organisation's contacts are unique by address: another person of the organisation has it.
    if (err instanceof DomainError && err.code === 'duplicate_email') return 'taken';
    throw err;
  }
  const ended = await endParticipantSessions(db, participant.id);
  await mailParticipant(db, ctx, event, participant, EMAIL_CHANGED_ACTION, participant.email, {});
  await audit(db, ctx, actor, {
    orgId: event.orgId,
    action: 'participant.email_changed',
    target: { type: 'participant', id: participant.id },
    data: { eventId: event.id, via: 'confirmation_link', credentialId: credential.id, sessionsEnded: ended },
  });
  return 'changed';
}
