import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { apiActor } from '../http/actor.js';
import { addSuppression, listSuppressions, removeSuppression, SUPPRESSION_REASONS, SUPPRESSION_SCOPES, type Suppression } from '../modules/emailing/index.js';
import { orgOf } from './auth.js';
import type { Write } from './idempotency.js';
import { Enum, IdempotencyHeaders, Limit, NoContent, Nullable, Timestamp, errors } from './schemas.js';

const Reason = Enum(SUPPRESSION_REASONS, 'hard_bounce: the mailbox does not exist; invalid: the address is not usable; unsubscribed: the person asked for no more marketing email');
const Scope = Enum(SUPPRESSION_SCOPES, 'all: no email at all; marketing: no campaign of a marketing template type (invitation, reminder, update request, custom), while credentials and verification emails still go');
const Email = Type.String({ minLength: 3, maxLength: 254, description: 'Email address (compared case-insensitively)' });

export const SuppressionSchema = Type.Object(
  {
    email: Type.String({ description: 'The address, lower case' }),
    reason: Reason,
    scope: Scope,
    detail: Nullable(Type.String({ description: "The receiving server's reply for a bounce, or the note given when it was added" })),
    created_at: Timestamp,
  },
  { description: 'An address the organisation does not send (some) email to' },
);

const CreateBody = Type.Object(
  {
    email: Email,
    reason: Reason,
    scope: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('marketing')], { description: 'Default: marketing for unsubscribed, all otherwise (which is the only scope a bounce or an invalid address may have)' })),
    detail: Type.Optional(Nullable(Type.String({ maxLength: 500, description: "For an asynchronous bounce: the server's reply, e.g. 550 5.1.1 User unknown" }))),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 254, description: 'Part of the address' })),
    cursor: Type.Optional(Type.String({ maxLength: 2000, pattern: '^[A-Za-z0-9_-]+$', description: 'next_cursor of the previous page' })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);

const EmailParams = Type.Object({ email: Email }, { additionalProperties: false });
const DeleteQuery = Type.Object({ scope: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('marketing')], { description: 'Only this scope; default every suppression of the address' })) }, { additionalProperties: false });

function suppressionOut(s: Suppression): Static<typeof SuppressionSchema> {
  return { email: s.email, reason: s.reason, scope: s.scope, detail: s.detail, created_at: s.createdAt };
}

const tags = ['Suppressions'];

/** The organisation's suppression list: report asynchronous bounces and unsubscribes, read it, lift one. */
export function suppressionRoutes(parent: FastifyInstance, write: Write): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;

  app.get(
    '/suppressions',
    {
      schema: {
        tags,
        summary: 'List suppressed addresses',
        description: 'Newest first, one page at a time: pass next_cursor back as cursor (with the same q) until it is null.',
        querystring: ListQuery,
        response: { 200: Type.Object({ data: Type.Array(SuppressionSchema), next_cursor: Nullable(Type.String()) }), ...errors() },
      },
    },
    async (request) => {
      const { q, cursor, limit } = request.query;
      const page = await listSuppressions(db, orgOf(request), { q, after: cursor, limit });
      return { data: page.items.map(suppressionOut), next_cursor: page.next };
    },
  );

  app.post(
    '/suppressions',
    {
      schema: {
        tags,
        summary: 'Suppress an address',
        description:
          'Reports an asynchronous bounce (reason hard_bounce, with the reply as detail), an address known to be invalid, or an unsubscribe made elsewhere. Replaces a suppression of the same address and scope. Messages already queued to the address are skipped when their turn comes.',
        headers: IdempotencyHeaders,
        body: CreateBody,
        response: { 201: SuppressionSchema, ...errors() },
      },
    },
    async (request, reply) =>
      write(request, reply, 201, async (trx) => {
        const { email, reason, scope, detail } = request.body;
        return suppressionOut(await addSuppression(trx, app.deps, apiActor(request), orgOf(request), { email, reason, scope, detail }));
      }),
  );

  app.delete(
    '/suppressions/:email',
    {
      schema: {
        tags,
        summary: 'Lift a suppression',
        description: 'Mail reaches the address again. Without scope, every suppression of the address is removed.',
        params: EmailParams,
        querystring: DeleteQuery,
        response: { 204: NoContent, ...errors(404) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      await db.transaction().execute((trx) => removeSuppression(trx, app.deps, apiActor(request), orgId, request.params.email, request.query.scope));
      return reply.code(204).send(null);
    },
  );
}
