import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { apiActor } from '../http/actor.js';
import { getParticipant } from '../modules/participants/index.js';
import { CREDENTIAL_PURPOSES, listParticipantLinks, revokeParticipantLinks, type PersonalLinkSummary } from '../modules/personal-links/index.js';
import { orgOf } from './auth.js';
import { ParticipantParams } from './participants.routes.js';
import type { Write } from './idempotency.js';
import { Enum, IdempotencyHeaders, Id, Nullable, Timestamp, errors } from './schemas.js';

export const PersonalLinkSchema = Type.Object(
  {
    id: Id,
    purpose: Enum(CREDENTIAL_PURPOSES, 'What the link opens: webapp, form (secure registration/update form), rsvp, meeting, preview (staff preview), signin, email_change'),
    form: Nullable(Type.String({ description: 'The form a form link opens (its slug)' })),
    status: Enum(['active', 'expired', 'revoked', 'used'] as const, 'used: a one-time link already used'),
    sent_to: Type.String({ description: 'The address the link was sent to' }),
    single_use: Type.Boolean(),
    origin: Type.Object(
      {
        outbox_id: Nullable(Id),
        campaign_id: Nullable(Id),
        campaign_name: Nullable(Type.String()),
        template_name: Nullable(Type.String()),
        preview_by: Nullable(Type.String({ description: 'Staff member who opened the app as this participant (preview links)' })),
      },
      { description: 'The email the link was sent in, or the staff preview that created it' },
    ),
    issued_at: Timestamp,
    expires_at: Timestamp,
    use_count: Type.Integer(),
    last_used_at: Nullable(Timestamp),
    revoked_at: Nullable(Timestamp),
    revoked_reason: Nullable(Type.String()),
    fetch_count: Type.Integer({ description: 'Times the link page was opened without pressing its button' }),
    last_fetched_at: Nullable(Timestamp),
    last_fetch_agent: Nullable(Type.String({ description: 'User agent of the last fetch' })),
    fetched_only: Type.Boolean({ description: 'Fetched but never used: most likely a mail scanner' }),
  },
  { description: 'A personal link, described. The link itself is never returned: Tessera stores only its hash.' },
);

const RevokeBody = Type.Object(
  { id: Type.Optional(Id) },
  { additionalProperties: false, description: 'id: the link to revoke; without it, every link of the participant is revoked' },
);

const RevokeResult = Type.Object({
  revoked: Type.Integer({ description: 'Links revoked by this request (0 when already dead)' }),
  sessions_ended: Type.Integer({ description: 'Attendee app sessions ended (revoking all links signs the participant out)' }),
});

function linkOut(link: PersonalLinkSummary): Static<typeof PersonalLinkSchema> {
  return {
    id: link.id,
    purpose: link.purpose,
    form: link.form,
    status: link.status,
    sent_to: link.sentTo,
    single_use: link.singleUse,
    origin: {
      outbox_id: link.origin.outboxId,
      campaign_id: link.origin.campaignId,
      campaign_name: link.origin.campaignName,
      template_name: link.origin.templateName,
      preview_by: link.origin.previewBy,
    },
    issued_at: link.issuedAt,
    expires_at: link.expiresAt,
    use_count: link.useCount,
    last_used_at: link.lastUsedAt,
    revoked_at: link.revokedAt,
    revoked_reason: link.revokedReason,
    fetch_count: link.fetchCount,
    last_fetched_at: link.lastFetchedAt,
    last_fetch_agent: link.lastFetchAgent,
    fetched_only: link.fetchedOnly,
  };
}

const tags = ['Participants'];

/** A participant's personal links: metadata to list, and revocation. Never the links themselves. */
export function participantLinkRoutes(parent: FastifyInstance, write: Write): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;

  app.get(
    '/events/:eventId/participants/:participantId/links',
    {
      schema: {
        tags,
        summary: "List a participant's personal links",
        description: 'Live links and those that died in the last 30 days, newest first: kind, origin email, dates, uses and fetches. The link itself is never returned.',
        params: ParticipantParams,
        response: { 200: Type.Object({ data: Type.Array(PersonalLinkSchema) }), ...errors(404) },
      },
    },
    async (request) => {
      const { eventId, participantId } = request.params;
      const participant = await getParticipant(db, orgOf(request), eventId, participantId);
      const links = await listParticipantLinks(db, app.deps, orgOf(request), eventId, participant.id);
      return { data: links.map(linkOut) };
    },
  );

  app.post(
    '/events/:eventId/participants/:participantId/links/revoke',
    {
      schema: {
        tags,
        summary: "Revoke one or all of a participant's personal links",
        description:
          'With `id`, that link stops working at once (and any app session it opened ends on its next request). Without it, every link of the participant is revoked and they are signed out of the app.',
        params: ParticipantParams,
        headers: IdempotencyHeaders,
        body: RevokeBody,
        response: { 200: RevokeResult, ...errors(404) },
      },
    },
    async (request, reply) =>
      write(request, reply, 200, async (trx) => {
        const { eventId, participantId } = request.params;
        const participant = await getParticipant(trx, orgOf(request), eventId, participantId);
        const result = await revokeParticipantLinks(trx, app.deps, apiActor(request), orgOf(request), eventId, participant.id, request.body.id ?? null);
        return { revoked: result.revoked, sessions_ended: result.sessionsEnded };
      }),
  );
}
