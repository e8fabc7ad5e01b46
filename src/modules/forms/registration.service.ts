import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { canonicalEmail } from '../../lib/email.js';
import { DomainError } from '../../lib/errors.js';
import { audit, listAuditEntries } from '../audit/index.js';
import { listCustomFields } from '../custom-fields/index.js';
import type { Event } from '../events/index.js';
import { createParticipant, findParticipantByEmail, getParticipant, updateParticipant, type Participant } from '../participants/index.js';
import { checkFormData } from './form-data.js';
import { KNOWN_EMAIL_ACTION, mailParticipant, REGISTERED_ACTION } from './form-mail.js';
import { fieldsOfForm, findFormForSlug, isFormClosed, updateLinkForm } from './form.service.js';
import { REGISTRATION_SLUG, type EventForm, type FormMode, type FormSubmission } from './form.types.js';
import { requestEmailChange } from './email-change.service.js';

/** One "you are already on the list" email per person in this window, however often the form is sent. */
const KNOWN_EMAIL_WINDOW_MS = 10 * 60_000;

export type PublicRegistration = FormSubmission;

/**
 * Whether the public page takes registrations now, and why not. Closed or archived events and a
 * closed registration form refuse as clearly as the switch in the event's access settings.
 */
export function registrationRefusal(event: Event, form: EventForm, now: Date): string | null {
  if (!event.registrationOpen || event.status === 'closed' || event.status === 'archived') return `Registration for ${event.name} is closed.`;
  if (isFormClosed(form, now)) return `Registration for ${event.name} closed.`;
  return null;
}

function invalidEmail(message: string, field = 'email'): DomainError {
  return new DomainError('validation_failed', message, [{ path: `/${field}`, message }]);
}

/** The form whose secure link a known address gets: to register, or to update once registered. */
async function linkFormFor(trx: Db, event: Event, participant: Participant): Promise<string> {
  return participant.status === 'registered' ? (await updateLinkForm(trx, event.orgId, event.id)).slug : REGISTRATION_SLUG;
}

/**
 * An address already on the event: nothing is created and nothing about the person is shown;
 * the address's owner gets the secure link that lets them go on (no dead end). A cancelled
 * participation stays the organiser's decision: nothing is sent.
 */
async function knownAddress(trx: Db, ctx: Ctx, actor: Actor, event: Event, participant: Participant): Promise<void> {
  const since = new Date(ctx.clock.now().getTime() - KNOWN_EMAIL_WINDOW_MS).toISOString();
  const recent = await listAuditEntries(trx, { orgId: event.orgId, targetType: 'participant', targetId: participant.id, action: KNOWN_EMAIL_ACTION, limit: 20 });
  const throttled = recent.some((e) => e.createdAt >= since && e.data['sent'] === true);
  const send = participant.status !== 'cancelled' && !throttled;
  if (send) await mailParticipant(trx, ctx, event, participant, KNOWN_EMAIL_ACTION, participant.email, { form: await linkFormFor(trx, event, participant) });
  await audit(trx, ctx, actor, {
    orgId: event.orgId,
    action: KNOWN_EMAIL_ACTION,
    target: { type: 'participant', id: participant.id },
    data: { eventId: event.id, status: participant.status, sent: send },
  });
}

/**
 * The public registration page. A new address becomes a registered participant; an address
 * already on the event changes nothing and its owner is emailed their secure link. Both answer
 * `{ known }` to the caller only so that an event that chose to can say "already registered":
 * by default the page answers the two identically, so it cannot be used to learn who is on the list.
 */
export async function registerFromPublicPage(db: Db, ctx: Ctx, actor: Actor, event: Event, input: PublicRegistration): Promise<{ known: boolean }> {
  const form = (await findFormForSlug(db, event.orgId, event.id, REGISTRATION_SLUG))!;
  const refusal = registrationRefusal(event, form, ctx.clock.now());
  if (refusal) throw new DomainError('registration_closed', refusal);
  const shown = fieldsOfForm(form, await listCustomFields(db, event.orgId, event.id));
  const data = checkFormData({ shown, submission: input, email: null, stored: null, mode: 'link', withNames: true });
  const existing = await findParticipantByEmail(db, event.orgId, event.id, data.email);
  if (existing) {
    await knownAddress(db, ctx, actor, event, existing);
    return { known: true };
  }
  let participant: Participant;
  try {
    participant = await createParticipant(db, ctx, actor, event.orgId, event.id, { email: data.email, firstName: data.firstName, lastName: data.lastName, status: 'registered', fields: data.fields });
  } catch (err) {
    // Someone registered the same address a moment ago: answer as for any known address.
    if (!(err instanceof DomainError && err.code === 'duplicate_email')) throw err;
    const raced = await findParticipantByEmail(db, event.orgId, event.id, data.email);
    if (raced) await knownAddress(db, ctx, actor, event, raced);
    return { known: true };
  }
  await audit(db, ctx, actor, { orgId: event.orgId, action: 'participant.registered', target: { type: 'participant', id: participant.id }, data: { eventId: event.id, via: 'public_page' } });
  await mailParticipant(db, ctx, event, participant, REGISTERED_ACTION, participant.email, { form: await linkFormFor(db, event, participant) });
  return { known: false };
}

export interface FormWrite {
  event: Event;
  form: EventForm;
  /** From the session, never from the submitted data. */
  participantId: string;
  mode: FormMode;
  submission: FormSubmission;
}

export interface FormWriteResult {
  participant: Participant;
  /** A new address was entered: a confirmation link went to it (or, when taken, nothing did). */
  emailChangeRequested: boolean;
}

/** The participant a form writes into, refused when the organiser cancelled their participation. */
export async function participantForForm(db: Db, event: Event, participantId: string): Promise<Participant> {
  const participant = await getParticipant(db, event.orgId, event.id, participantId);
  if (participant.status === 'cancelled') throw new DomainError('forbidden', `Your participation in ${event.name} was cancelled: contact the organiser.`);
  return participant;
}

/**
 * Writes a form into the participant's own record (whose it is comes from the session that
 * opened the form). On the registration form an imported, invited or declined participant
 * becomes registered; a registered one stays so with the new data. An address change is only
 * requested here: it is applied once confirmed from the new address.
 */
export async function submitForm(db: Db, ctx: Ctx, actor: Actor, input: FormWrite): Promise<FormWriteResult> {
  const { event, form } = input;
  if (isFormClosed(form, ctx.clock.now())) throw new DomainError('form_closed', `${form.title} closed.`);
  const participant = await participantForForm(db, event, input.participantId);
  const newEmail = form.allowEmailChange ? (input.submission.newEmail ?? '').trim() : '';
  const wanted = newEmail ? canonicalEmail(newEmail) : null;
  if (newEmail && !wanted) throw invalidEmail('This is not a valid email address', 'new_email');
  const registering = form.kind === 'registration' && participant.status !== 'registered';
  const updated = await writeData(db, ctx, actor, event, form, participant, input.mode, input.submission, registering ? 'form' : null);
  const changing = wanted !== null && wanted.key !== participant.email.toLowerCase();
  if (changing) await requestEmailChange(db, ctx, actor, event, updated, wanted);
  return { participant: updated, emailChangeRequested: changing };
}

/** Checks and stores the form's answers; `registerVia` also makes the participant registered. */
export async function writeData(
  db: Db,
  ctx: Ctx,
  actor: Actor,
  event: Event,
  form: EventForm,
  participant: Participant,
  mode: FormMode,
  submission: FormSubmission,
  registerVia: string | null,
): Promise<Participant> {
  const shown = fieldsOfForm(form, await listCustomFields(db, event.orgId, event.id));
  const withNames = form.kind === 'registration';
  const data = checkFormData({ shown, submission: { ...submission, email: undefined }, email: participant.email, stored: participant, mode, withNames });
  const updated = await updateParticipant(db, ctx, actor, event.orgId, event.id, participant.id, {
    firstName: data.firstName,
    lastName: data.lastName,
    status: registerVia ? 'registered' : undefined,
    fields: data.fields,
  });
  if (registerVia) {
    await audit(db, ctx, actor, { orgId: event.orgId, action: 'participant.registered', target: { type: 'participant', id: participant.id }, data: { eventId: event.id, via: registerVia, from: participant.status } });
  }
  return updated;
}
