import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../audit/index.js';
import type { Event } from '../events/index.js';
import { participantCounts, updateParticipant, type Participant } from '../participants/index.js';
import { countRsvpAnswers, upsertRsvpAnswer } from './form.repository.js';
import { findFormForSlug } from './form.service.js';
import { REGISTRATION_SLUG, type FormMode, type FormSubmission, type RsvpAnswer, type RsvpCounts } from './form.types.js';
import { participantForForm, writeData } from './registration.service.js';

/** RSVP closes at the event's RSVP closing time, or when the event starts. */
export function rsvpClosesAt(event: Event): string {
  return event.rsvpClosesAt ?? event.startsAt;
}

export function isRsvpClosed(event: Event, now: Date): boolean {
  return rsvpClosesAt(event) <= now.toISOString();
}

export interface RsvpInput {
  event: Event;
  /** From the session, never from the submitted data. */
  participantId: string;
  answer: RsvpAnswer;
  mode: FormMode;
  /** The registration form's answers, for an acceptance. */
  submission?: FormSubmission | undefined;
}

/**
 * Records an invited participant's answer: accepting checks and stores the registration form's
 * answers and makes them registered; declining makes them declined. A later answer replaces an
 * earlier one until RSVP closes.
 */
export async function answerRsvp(db: Db, ctx: Ctx, actor: Actor, input: RsvpInput): Promise<Participant> {
  const { event } = input;
  if (isRsvpClosed(event, ctx.clock.now())) throw new DomainError('form_closed', `Replies to the invitation to ${event.name} are closed.`);
  const participant = await participantForForm(db, event, input.participantId);
  let updated: Participant;
  if (input.answer === 'accepted') {
    const form = (await findFormForSlug(db, event.orgId, event.id, REGISTRATION_SLUG))!;
    const submission = input.submission ?? { fields: {} };
    updated = await writeData(db, ctx, actor, event, form, participant, input.mode, submission, participant.status === 'registered' ? null : 'rsvp');
  } else {
    updated = participant.status === 'declined' ? participant : await updateParticipant(db, ctx, actor, event.orgId, event.id, participant.id, { status: 'declined' });
  }
  await upsertRsvpAnswer(db, { participant_id: participant.id, org_id: event.orgId, event_id: event.id, answer: input.answer, answered_at: ctx.clock.now().toISOString() });
  await audit(db, ctx, actor, { orgId: event.orgId, action: 'participant.rsvp', target: { type: 'participant', id: participant.id }, data: { eventId: event.id, answer: input.answer, from: participant.status } });
  return updated;
}

/** Replies so far: accepted and declined answers, and invited participants yet to answer. */
export async function rsvpCounts(db: Db, orgId: string, eventId: string): Promise<RsvpCounts> {
  const answers = await countRsvpAnswers(db, orgId, eventId);
  const statuses = await participantCounts(db, orgId, eventId);
  return { accepted: answers.accepted, declined: answers.declined, pending: statuses.invited };
}
