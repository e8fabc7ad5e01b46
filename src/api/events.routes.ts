import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { apiActor } from '../http/actor.js';
import { ID_REGEX_SOURCE } from '../lib/ids.js';
import { EVENT_STATUSES, createEvent, getEvent, listEventsPage, updateEvent, type Event } from '../modules/events/index.js';
import { orgOf } from './auth.js';
import type { Write } from './idempotency.js';
import { Enum, IdempotencyHeaders, Id, Limit, Nullable, Timestamp, errors } from './schemas.js';

const EventStatus = Enum(EVENT_STATUSES, 'draft, published, closed or archived');

export const EventSchema = Type.Object(
  {
    id: Id,
    slug: Type.String(),
    name: Type.String(),
    starts_at: Timestamp,
    ends_at: Timestamp,
    time_zone: Type.String({ description: 'IANA time zone, e.g. Europe/Paris' }),
    venue: Nullable(Type.String()),
    status: EventStatus,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { description: 'Event' },
);

const eventFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  slug: Type.String({ minLength: 1, maxLength: 60, description: 'a-z, 0-9 and dashes; derived from the name when absent' }),
  starts_at: Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 date and time, e.g. 2026-09-14T09:00:00+02:00' }),
  ends_at: Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601, not before starts_at' }),
  time_zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Paris' }),
  venue: Nullable(Type.String({ maxLength: 300 })),
  status: EventStatus,
};

const CreateEventBody = Type.Object(
  {
    name: eventFields.name,
    slug: Type.Optional(eventFields.slug),
    starts_at: eventFields.starts_at,
    ends_at: eventFields.ends_at,
    time_zone: eventFields.time_zone,
    venue: Type.Optional(eventFields.venue),
    status: Type.Optional(eventFields.status),
  },
  { additionalProperties: false },
);

const PatchEventBody = Type.Object(
  {
    name: Type.Optional(eventFields.name),
    slug: Type.Optional(eventFields.slug),
    starts_at: Type.Optional(eventFields.starts_at),
    ends_at: Type.Optional(eventFields.ends_at),
    time_zone: Type.Optional(eventFields.time_zone),
    venue: Type.Optional(eventFields.venue),
    status: Type.Optional(eventFields.status),
  },
  { additionalProperties: false },
);

export const EventParams = Type.Object({ eventId: Id }, { additionalProperties: false });
const ListQuery = Type.Object(
  { cursor: Type.Optional(Type.String({ pattern: ID_REGEX_SOURCE, maxLength: 26, description: 'next_cursor of the previous page' })), limit: Type.Optional(Limit) },
  { additionalProperties: false },
);

export function eventOut(event: Event): Static<typeof EventSchema> {
  return {
    id: event.id,
    slug: event.slug,
    name: event.name,
    starts_at: event.startsAt,
    ends_at: event.endsAt,
    time_zone: event.timeZone,
    venue: event.venue,
    status: event.status,
    created_at: event.createdAt,
    updated_at: event.updatedAt,
  };
}

const tags = ['Events'];

export function eventRoutes(parent: FastifyInstance, write: Write): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;

  app.get(
    '/events',
    {
      schema: {
        tags,
        summary: 'List events',
        description: 'In creation order, one page at a time.',
        querystring: ListQuery,
        response: { 200: Type.Object({ data: Type.Array(EventSchema), next_cursor: Nullable(Type.String()) }), ...errors() },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listEventsPage(db, orgOf(request), { after: request.query.cursor, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { data: page.map(eventOut), next_cursor: rows.length > limit && last ? last.id : null };
    },
  );

  app.post(
    '/events',
    {
      schema: {
        tags,
        summary: 'Create an event',
        headers: IdempotencyHeaders,
        body: CreateEventBody,
        response: { 201: EventSchema, ...errors(409) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      return write(request, reply, 201, async (trx) => {
        const event = await createEvent(trx, app.deps, apiActor(request), orgOf(request), {
          name: body.name,
          slug: body.slug,
          startsAt: body.starts_at,
          endsAt: body.ends_at,
          timeZone: body.time_zone,
          venue: body.venue,
          status: body.status,
        });
        return eventOut(event);
      });
    },
  );

  app.get(
    '/events/:eventId',
    { schema: { tags, summary: 'Get an event', params: EventParams, response: { 200: EventSchema, ...errors(404) } } },
    async (request) => eventOut(await getEvent(db, orgOf(request), request.params.eventId)),
  );

  app.patch(
    '/events/:eventId',
    {
      schema: {
        tags,
        summary: 'Change an event',
        description: 'Only the fields given change.',
        params: EventParams,
        body: PatchEventBody,
        response: { 200: EventSchema, ...errors(404, 409) },
      },
    },
    async (request) => {
      const orgId = orgOf(request);
      const body = request.body;
      const event = await db.transaction().execute(async (trx) => {
        const current = await getEvent(trx, orgId, request.params.eventId);
        return updateEvent(trx, app.deps, apiActor(request), orgId, current.id, {
          name: body.name ?? current.name,
          slug: body.slug ?? current.slug,
          startsAt: body.starts_at ?? current.startsAt,
          endsAt: body.ends_at ?? current.endsAt,
          timeZone: body.time_zone ?? current.timeZone,
          venue: body.venue !== undefined ? body.venue : current.venue,
          status: body.status ?? current.status,
        });
      });
      return eventOut(event);
    },
  );
}
