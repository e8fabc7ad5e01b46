import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { apiActor } from '../http/actor.js';
import { DomainError } from '../lib/errors.js';
import { redactTokens } from '../lib/tokens.js';
import { listCustomFields } from '../modules/custom-fields/index.js';
import { getEvent } from '../modules/events/index.js';
import {
  PARTICIPANT_SORTS,
  PARTICIPANT_STATUSES,
  checkParticipant,
  createParticipant,
  getParticipant,
  listParticipants,
  updateParticipant,
  upsertParticipants,
  type Participant,
  type ParticipantInput,
  type ParticipantSort,
  type ValidParticipant,
} from '../modules/participants/index.js';
import { orgOf } from './auth.js';
import { EventParams } from './events.routes.js';
import type { Write } from './idempotency.js';
import { Enum, IdempotencyHeaders, Id, Limit, Nullable, Timestamp, errors } from './schemas.js';

export const MAX_BULK_ITEMS = 1000;

const Status = Enum(PARTICIPANT_STATUSES);
const STATUS_LIST = `(${PARTICIPANT_STATUSES.join('|')})`;

const FieldValueIn = Type.Union([
  Type.String({ maxLength: 5000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
  Type.Array(Type.String({ maxLength: 200 }), { maxItems: 200 }),
]);

const FieldValuesIn = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), FieldValueIn, {
  maxProperties: 100,
  additionalProperties: false,
  description:
    'Custom field values by field key: text, a number, true/false for checkboxes, a list for multiple choice. null clears a value on update.',
});

const participantFields = {
  email: Type.String({ minLength: 1, maxLength: 254 }),
  first_name: Type.String({ maxLength: 100 }),
  last_name: Type.String({ maxLength: 100 }),
  status: Status,
  fields: FieldValuesIn,
};

const ParticipantBody = Type.Object(
  {
    email: participantFields.email,
    first_name: Type.Optional(participantFields.first_name),
    last_name: Type.Optional(participantFields.last_name),
    status: Type.Optional(participantFields.status),
    fields: Type.Optional(participantFields.fields),
  },
  { additionalProperties: false },
);

const PatchParticipantBody = Type.Object(
  {
    email: Type.Optional(participantFields.email),
    first_name: Type.Optional(participantFields.first_name),
    last_name: Type.Optional(participantFields.last_name),
    status: Type.Optional(participantFields.status),
    fields: Type.Optional(participantFields.fields),
  },
  { additionalProperties: false },
);

const BulkBody = Type.Object(
  {
    on_existing: Type.Optional(Enum(['update', 'skip'] as const, 'What to do with people already in the event (matched by email, case-insensitively). Default update.')),
    items: Type.Array(ParticipantBody, { minItems: 1, maxItems: MAX_BULK_ITEMS }),
  },
  { additionalProperties: false },
);

export const ParticipantSchema = Type.Object(
  {
    id: Id,
    event_id: Id,
    email: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    status: Status,
    fields: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String()), Type.Boolean()])),
    status_changed_at: Timestamp,
    registered_at: Nullable(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { description: 'Participant' },
);

const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Words to find in name, email and text fields' })),
    status: Type.Optional(Type.String({ maxLength: 100, pattern: `^${STATUS_LIST}(,${STATUS_LIST})*$`, description: 'Comma-separated statuses, e.g. registered,invited' })),
    sort: Type.Optional(Enum(PARTICIPANT_SORTS, 'Default name')),
    dir: Type.Optional(Enum(['asc', 'desc'] as const, 'Default asc')),
    cursor: Type.Optional(Type.String({ maxLength: 2000, pattern: '^[A-Za-z0-9_.-]+$', description: 'next_cursor of the previous page' })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);

export const ParticipantParams = Type.Object({ eventId: Id, participantId: Id }, { additionalProperties: false });

const BulkResult = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  skipped: Type.Integer(),
  data: Type.Array(Type.Object({ index: Type.Integer({ description: 'Position in items' }), id: Id }), {
    description: 'The participant of every item, in input order',
  }),
});

function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redactTokens(value) as T;
  return Array.isArray(value) ? (value.map((item: unknown) => (typeof item === 'string' ? redactTokens(item) : item)) as T) : value;
}

function participantOut(p: Participant): Static<typeof ParticipantSchema> {
  return {
    id: p.id,
    event_id: p.eventId,
    email: p.email,
    first_name: p.firstName,
    last_name: p.lastName,
    status: p.status,
    // Typed text is answered as the CSV export writes it: a personal link pasted in never leaves.
    fields: Object.fromEntries(Object.entries(p.fields).map(([key, value]) => [key, redactValue(value)])),
    status_changed_at: p.statusChangedAt,
    registered_at: p.registeredAt,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

type Item = Static<typeof PatchParticipantBody>;

function inputOf(item: Item): ParticipantInput {
  return { email: item.email, firstName: item.first_name, lastName: item.last_name, status: item.status, fields: item.fields };
}

// The API cursor carries its sort order so a cursor from another order is refused, not misread.
function apiCursor(sort: ParticipantSort, dir: string, inner: string | null): string | null {
  return inner ? `${sort}.${dir}.${inner}` : null;
}

function innerCursor(cursor: string | undefined, sort: ParticipantSort, dir: string): string | undefined {
  if (!cursor) return undefined;
  const prefix = `${sort}.${dir}.`;
  if (!cursor.startsWith(prefix)) {
    throw new DomainError('validation_failed', 'The cursor belongs to another sort order', [{ path: '/cursor', message: 'invalid cursor' }]);
  }
  return cursor.slice(prefix.length);
}

interface ItemProblem {
  index: number;
  email: string | null;
  errors: Array<{ field: string; message: string }>;
}

/** Every item checked before anything is written; duplicates within the request are refused too. */
function checkItems(fields: Awaited<ReturnType<typeof listCustomFields>>, items: Item[]): ValidParticipant[] {
  const problems: ItemProblem[] = [];
  const valid: ValidParticipant[] = [];
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const checked = checkParticipant(fields, inputOf(item));
    const email = item.email ?? null;
    if (!checked.ok) {
      problems.push({ index, email, errors: checked.problems.map((p) => ({ field: p.field, message: p.reason })) });
      return;
    }
    const first = firstIndex.get(checked.value.email.key);
    if (first !== undefined) {
      problems.push({ index, email, errors: [{ field: 'email', message: `Same email as item ${first}` }] });
      return;
    }
    firstIndex.set(checked.value.email.key, index);
    valid.push(checked.value);
  });
  if (problems.length > 0) {
    throw new DomainError('items_invalid', `${problems.length} of ${items.length} items are invalid; nothing was written`, problems);
  }
  return valid;
}

const tags = ['Participants'];

export function participantRoutes(parent: FastifyInstance, write: Write): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { db, dialect } = app.deps;
  const eventOf = (request: FastifyRequest, trx = db) => getEvent(trx, orgOf(request), (request.params as { eventId: string }).eventId);

  app.get(
    '/events/:eventId/participants',
    {
      schema: {
        tags,
        summary: 'List participants',
        description: 'Filtered and sorted, one page at a time: pass next_cursor back as cursor (with the same sort and dir) until it is null.',
        params: EventParams,
        querystring: ListQuery,
        response: { 200: Type.Object({ data: Type.Array(ParticipantSchema), next_cursor: Nullable(Type.String()) }), ...errors(404) },
      },
    },
    async (request) => {
      const event = await eventOf(request);
      const query = request.query;
      const sort = query.sort ?? 'name';
      const dir = query.dir ?? 'asc';
      const page = await listParticipants(db, dialect, event.orgId, event.id, {
        q: query.q,
        statuses: query.status ? (query.status.split(',') as Participant['status'][]) : undefined,
        sort,
        dir,
        cursor: innerCursor(query.cursor, sort, dir),
        limit: query.limit ?? 50,
      });
      return { data: page.items.map(participantOut), next_cursor: apiCursor(sort, dir, page.nextCursor) };
    },
  );

  app.post(
    '/events/:eventId/participants',
    {
      schema: {
        tags,
        summary: 'Add a participant',
        description: 'New participants are registered unless a status is given. A person already in the event gets 409 duplicate_email.',
        params: EventParams,
        headers: IdempotencyHeaders,
        body: ParticipantBody,
        response: { 201: ParticipantSchema, ...errors(404, 409) },
      },
    },
    async (request, reply) =>
      write(request, reply, 201, async (trx) => {
        const event = await eventOf(request, trx);
        const participant = await createParticipant(trx, app.deps, apiActor(request), event.orgId, event.id, inputOf(request.body));
        return participantOut(participant);
      }),
  );

  app.post(
    '/events/:eventId/participants/bulk',
    {
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Create or update participants by email',
        description: `Up to ${MAX_BULK_ITEMS} items, matched to existing participants by email (case-insensitively). All or nothing: if any item is invalid the answer is 422 items_invalid with every bad item in details, and nothing is written. New participants without a status are imported.`,
        params: EventParams,
        headers: IdempotencyHeaders,
        body: BulkBody,
        response: { 200: BulkResult, ...errors(404, 409, 413, 422) },
      },
    },
    async (request, reply) =>
      write(request, reply, 200, async (trx) => {
        const event = await eventOf(request, trx);
        const fields = await listCustomFields(trx, event.orgId, event.id);
        const valid = checkItems(fields, request.body.items);
        const result = await upsertParticipants(trx, app.deps, apiActor(request), event.orgId, event.id, valid, {
          existing: request.body.on_existing ?? 'update',
          defaultStatus: 'imported',
        });
        return { created: result.created, updated: result.updated, skipped: result.skipped, data: result.ids.map((id, index) => ({ index, id })) };
      }),
  );

  app.get(
    '/events/:eventId/participants/:participantId',
    { schema: { tags, summary: 'Get a participant', params: ParticipantParams, response: { 200: ParticipantSchema, ...errors(404) } } },
    async (request) => participantOut(await getParticipant(db, orgOf(request), request.params.eventId, request.params.participantId)),
  );

  app.patch(
    '/events/:eventId/participants/:participantId',
    {
      schema: {
        tags,
        summary: 'Change a participant',
        description: 'Only the fields given change; custom fields not in `fields` keep their values, null clears one.',
        params: ParticipantParams,
        body: PatchParticipantBody,
        response: { 200: ParticipantSchema, ...errors(404, 409) },
      },
    },
    async (request) => {
      const { eventId, participantId } = request.params;
      const participant = await db
        .transaction()
        .execute((trx) => updateParticipant(trx, app.deps, apiActor(request), orgOf(request), eventId, participantId, inputOf(request.body)));
      return participantOut(participant);
    },
  );
}
