import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { apiActor } from '../http/actor.js';
import { createSession, deleteSession, getSession, listSessions, updateSession, type EventSession } from '../modules/checkin/index.js';
import { orgOf } from './auth.js';
import { EventParams } from './events.routes.js';
import type { Write } from './idempotency.js';
import { IdempotencyHeaders, Id, NoContent, Nullable, Timestamp, errors } from './schemas.js';

const SessionSchema = Type.Object(
  { id: Id, title: Type.String(), room: Nullable(Type.String()), starts_at: Timestamp, ends_at: Timestamp },
  { description: 'A session of the event’s agenda: its door can be a check-in point' },
);

const fields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  room: Nullable(Type.String({ maxLength: 200 })),
  starts_at: Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 date and time' }),
  ends_at: Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601, not before starts_at' }),
};

const SessionBody = Type.Object(
  { title: fields.title, room: Type.Optional(fields.room), starts_at: fields.starts_at, ends_at: fields.ends_at },
  { additionalProperties: false },
);
const SessionParams = Type.Object({ eventId: Id, sessionId: Id }, { additionalProperties: false });

function sessionOut(s: EventSession): Static<typeof SessionSchema> {
  return { id: s.id, title: s.title, room: s.room, starts_at: s.startsAt, ends_at: s.endsAt };
}

const tags = ['Check-in'];

export function sessionRoutes(parent: FastifyInstance, write: Write): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;

  app.get(
    '/events/:eventId/sessions',
    { schema: { tags, summary: 'List the event’s sessions', description: 'In time order.', params: EventParams, response: { 200: Type.Object({ data: Type.Array(SessionSchema) }), ...errors(404) } } },
    async (request) => ({ data: (await listSessions(db, orgOf(request), request.params.eventId)).map(sessionOut) }),
  );

  app.post(
    '/events/:eventId/sessions',
    { schema: { tags, summary: 'Add a session', params: EventParams, headers: IdempotencyHeaders, body: SessionBody, response: { 201: SessionSchema, ...errors(404) } } },
    async (request, reply) => {
      const b = request.body;
      return write(request, reply, 201, async (trx) =>
        sessionOut(await createSession(trx, app.deps, apiActor(request), orgOf(request), request.params.eventId, { title: b.title, room: b.room, startsAt: b.starts_at, endsAt: b.ends_at })),
      );
    },
  );

  app.get(
    '/events/:eventId/sessions/:sessionId',
    { schema: { tags, summary: 'Get a session', params: SessionParams, response: { 200: SessionSchema, ...errors(404) } } },
    async (request) => sessionOut(await getSession(db, orgOf(request), request.params.eventId, request.params.sessionId)),
  );

  app.patch(
    '/events/:eventId/sessions/:sessionId',
    {
      schema: {
        tags,
        summary: 'Change a session',
        description: 'Only the fields given change.',
        params: SessionParams,
        body: Type.Partial(SessionBody, { additionalProperties: false }),
        response: { 200: SessionSchema, ...errors(404) },
      },
    },
    async (request) => {
      const { eventId, sessionId } = request.params;
      const b = request.body;
      const orgId = orgOf(request);
      const session = await db.transaction().execute(async (trx) => {
        const current = await getSession(trx, orgId, eventId, sessionId);
        return updateSession(trx, app.deps, apiActor(request), orgId, eventId, sessionId, {
          title: b.title ?? current.title,
          room: b.room !== undefined ? b.room : current.room,
          startsAt: b.starts_at ?? current.startsAt,
          endsAt: b.ends_at ?? current.endsAt,
        });
      });
      return sessionOut(session);
    },
  );

  app.delete(
    '/events/:eventId/sessions/:sessionId',
    {
      schema: {
        tags,
        summary: 'Delete a session',
        description: 'Refused (409 session_in_use) once people have been scanned at its door: the history stays.',
        params: SessionParams,
        response: { 204: NoContent, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      const { eventId, sessionId } = request.params;
      await db.transaction().execute((trx) => deleteSession(trx, app.deps, apiActor(request), orgOf(request), eventId, sessionId));
      return reply.code(204).send(null);
    },
  );
}
