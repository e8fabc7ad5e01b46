import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { audit } from '../audit/index.js';
import { enqueueEmails, registerEmailAction, registerMergeTag, templateForAction, TemplateRenderError, type BuiltInTemplate, type MergeTagContext } from '../emailing/index.js';
import { getParticipant, getParticipantsByIds, type Participant } from '../participants/index.js';
import { registerPersonalLinkTag } from '../personal-links/index.js';
import { markCodesSent } from './access-code.repository.js';
import { accessCodeStatuses, issueAccessCodes, readCodeForMail } from './access-code.service.js';
import type { ResendResult } from './access-code.types.js';

/** "Resend credentials": the credentials template the organiser linked (a ready-made one is linked in every new event). */
export const CREDENTIALS_ACTION = 'access_codes.credentials';
/** Sent instead when the attendee chose their own code, which Tessera cannot read back. */
export const SET_CODE_ACTION = 'access_codes.set_code_link';

export const READY_MADE_CREDENTIALS: BuiltInTemplate = {
  type: 'credentials',
  name: 'Credentials: access code',
  subject: 'Your access to {{ event_name }}',
  html:
    '<p>Hello {{ first_name }},</p>' +
    '<p>Here is how to sign in to the {{ event_name }} app.</p>' +
    '<p>Email: <strong>{{ user_email }}</strong><br>Access code: <strong>{{ access_code }}</strong></p>' +
    '<p>The code is yours alone: nobody from the organising team can read it. Letters are not case-sensitive and the dashes are optional.</p>',
};

const SAMPLE = 'ABC-DEF-GHJ (sample: test emails carry no real code)';
export const CHOSEN_CODE_TEXT = '(the access code you chose)';
export const NOT_REGISTERED_TEXT = '(you get an access code once your registration is confirmed)';

/**
 * The participant's code, read back from its sealed copy when the email is rendered, and only
 * then: it exists in the message and nowhere else. A code the attendee or an organiser chose
 * cannot be read back; the email says so. Rendering marks the code as sent.
 */
async function accessCodeTag(m: MergeTagContext): Promise<string> {
  if (m.recipient.kind !== 'participant' || !m.event || m.recipient.eventId !== m.event.id) {
    throw new TemplateRenderError('an access code can only be sent to a participant of the event');
  }
  if (m.data['send_test'] === 'true') return SAMPLE;
  // Only registered people have a code: a credentials campaign that reached an invited person
  // (a too-wide audience) says so instead of drawing one.
  const participant = await getParticipant(m.db, m.orgId, m.event.id, m.recipient.id).catch(() => null);
  if (participant?.status !== 'registered') return NOT_REGISTERED_TEXT;
  let code = await readCodeForMail(m.db, m.ctx, m.orgId, m.recipient.id);
  if (code === null && !(await accessCodeStatuses(m.db, m.orgId, [m.recipient.id])).has(m.recipient.id)) {
    // Registered before codes existed: the code is drawn now.
    await issueAccessCodes(m.db, m.ctx, m.orgId, m.event.id, [m.recipient.id]);
    code = await readCodeForMail(m.db, m.ctx, m.orgId, m.recipient.id);
  }
  await markCodesSent(m.db, [m.recipient.id], m.ctx.clock.now().toISOString());
  return code ?? CHOSEN_CODE_TEXT;
}

for (const name of ['access_code', 'user_pass']) {
  registerMergeTag({
    name,
    description: name === 'access_code' ? "The participant's personal access code for this event (credentials emails only)" : 'Same as access_code',
    personal: true,
    types: ['credentials'],
    resolve: accessCodeTag,
  });
}

registerPersonalLinkTag({
  name: 'set_code_link',
  description: 'One-time link to set a new access code, valid 24 hours (credentials emails only)',
  purpose: 'access_code',
  types: ['credentials'],
  singleUse: true,
});

registerEmailAction({ name: CREDENTIALS_ACTION, description: 'Resend credentials (email + access code)', types: ['credentials'] });

registerEmailAction({
  name: SET_CODE_ACTION,
  description: 'Link to set a new access code (when the attendee chose their own)',
  types: ['credentials'],
  fallback: {
    type: 'credentials',
    name: 'Set a new access code (built-in)',
    subject: 'Set your access code for {{ event_name }}',
    html:
      '<p>Hello {{ first_name }},</p>' +
      '<p>You chose your own access code for {{ event_name }}, so nobody can send it to you again: not even us.</p>' +
      '<p><a href="{{ set_code_link }}">Set a new access code</a></p>' +
      '<p>The link works once, within 24 hours. Your email for signing in is {{ user_email }}.</p>',
  },
});

function nameOf(p: Participant): string {
  return [p.firstName, p.lastName].filter(Boolean).join(' ');
}

/**
 * "Resend credentials" for one participant or a filtered list. Refuses with template_not_linked
 * before queueing anything when no credentials template is linked. Generated codes go out again
 * as they are; a chosen code cannot, so its owner gets a link to set a new one instead.
 * Only registered participants have credentials.
 */
export async function resendCredentials(db: Db, ctx: Ctx, actor: Actor, orgId: string, eventId: string, participantIds: readonly string[]): Promise<ResendResult> {
  const credentials = await templateForAction(db, ctx, orgId, eventId, CREDENTIALS_ACTION);
  const result: ResendResult = { codes: 0, setCodeLinks: 0, skipped: 0 };
  for (let i = 0; i < participantIds.length; i += 500) {
    const chunk = (await getParticipantsByIds(db, orgId, participantIds.slice(i, i + 500))).filter((p) => p.eventId === eventId);
    const registered = chunk.filter((p) => p.status === 'registered');
    result.skipped += participantIds.slice(i, i + 500).length - registered.length;
    await issueAccessCodes(db, ctx, orgId, eventId, registered.map((p) => p.id));
    const statuses = await accessCodeStatuses(db, orgId, registered.map((p) => p.id));
    const setCode = registered.some((p) => !statuses.get(p.id)?.resendable) ? await templateForAction(db, ctx, orgId, eventId, SET_CODE_ACTION) : null;
    // Multi-row inserts (enqueueEmails): one message at a time took 4.5 ms each on PostgreSQL.
    const message = (p: Participant) => ({ recipient: { kind: 'participant' as const, id: p.id, email: p.email, name: nameOf(p) }, data: {} });
    const codes = registered.filter((p) => statuses.get(p.id)?.resendable ?? false);
    const links = registered.filter((p) => !(statuses.get(p.id)?.resendable ?? false));
    if (codes.length > 0) await enqueueEmails(db, ctx, { orgId, eventId, templateId: credentials.id, category: 'transactional', messages: codes.map(message) });
    if (links.length > 0) await enqueueEmails(db, ctx, { orgId, eventId, templateId: setCode!.id, category: 'transactional', messages: links.map(message) });
    result.codes += codes.length;
    result.setCodeLinks += links.length;
  }
  await audit(db, ctx, actor, { orgId, action: 'access_code.credentials_resent', target: participantIds.length === 1 ? { type: 'participant', id: participantIds[0]! } : null, data: { eventId, ...result } });
  return result;
}
