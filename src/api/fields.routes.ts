import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { apiActor } from '../http/actor.js';
import {
  FIELD_TYPES,
  createCustomField,
  deleteCustomField,
  getCustomField,
  listCustomFields,
  updateCustomField,
  type CustomField,
} from '../modules/custom-fields/index.js';
import { getEvent } from '../modules/events/index.js';
import { orgOf } from './auth.js';
import { EventParams } from './events.routes.js';
import type { Write } from './idempotency.js';
import { Enum, IdempotencyHeaders, Id, NoContent, Nullable, errors } from './schemas.js';

const FieldType = Enum(FIELD_TYPES);
const Options = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  maxItems: 200,
  description: 'Allowed values of a single_choice or multiple_choice field (no "|")',
});

export const FieldSchema = Type.Object(
  {
    id: Id,
    event_id: Id,
    key: Type.String({ description: 'Name of the value in a participant\'s `fields`' }),
    label: Type.String(),
    type: FieldType,
    required: Type.Boolean(),
    options: Type.Array(Type.String()),
    position: Type.Integer(),
  },
  { description: 'Custom field' },
);

const CreateFieldBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 40, description: 'Starts with a letter; a-z, 0-9 and _. Fixed once created.' }),
    label: Type.String({ minLength: 1, maxLength: 200 }),
    type: FieldType,
    required: Type.Optional(Type.Boolean()),
    options: Type.Optional(Options),
  },
  { additionalProperties: false },
);

const PatchFieldBody = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    required: Type.Optional(Type.Boolean()),
    options: Type.Optional(Options),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);

const FieldParams = Type.Object({ eventId: Id, fieldId: Id }, { additionalProperties: false });

function fieldOut(field: CustomField): Static<typeof FieldSchema> {
  return {
    id: field.id,
    event_id: field.eventId,
    key: field.key,
    label: field.label,
    type: field.type,
    required: field.required,
    options: field.options,
    position: field.position,
  };
}

const tags = ['Custom fields'];

export function fieldRoutes(parent: FastifyInstance, write: Write): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;

  app.get(
    '/events/:eventId/fields',
    {
      schema: {
        tags,
        summary: "List an event's custom fields",
        description: 'In display order. An event has at most 100 fields, so this list is never paginated (next_cursor is always null).',
        params: EventParams,
        response: { 200: Type.Object({ data: Type.Array(FieldSchema), next_cursor: Nullable(Type.String()) }), ...errors(404) },
      },
    },
    async (request) => {
      const event = await getEvent(db, orgOf(request), request.params.eventId);
      const fields = await listCustomFields(db, event.orgId, event.id);
      return { data: fields.map(fieldOut), next_cursor: null };
    },
  );

  app.post(
    '/events/:eventId/fields',
    {
      schema: {
        tags,
        summary: 'Add a custom field',
        params: EventParams,
        headers: IdempotencyHeaders,
        body: CreateFieldBody,
        response: { 201: FieldSchema, ...errors(404, 409) },
      },
    },
    async (request, reply) =>
      write(request, reply, 201, async (trx) => {
        const event = await getEvent(trx, orgOf(request), request.params.eventId);
        const body = request.body;
        const field = await createCustomField(trx, app.deps, apiActor(request), event.orgId, event.id, {
          key: body.key,
          label: body.label,
          type: body.type,
          required: body.required,
          options: body.options,
        });
        return fieldOut(field);
      }),
  );

  app.patch(
    '/events/:eventId/fields/:fieldId',
    {
      schema: {
        tags,
        summary: 'Change a custom field',
        description: 'The key and type are fixed once created; label, required, options and position can change.',
        params: FieldParams,
        body: PatchFieldBody,
        response: { 200: FieldSchema, ...errors(404) },
      },
    },
    async (request) => {
      const orgId = orgOf(request);
      const { eventId, fieldId } = request.params;
      const body = request.body;
      const field = await db.transaction().execute(async (trx) => {
        const current = await getCustomField(trx, orgId, eventId, fieldId);
        return updateCustomField(trx, app.deps, apiActor(request), orgId, eventId, fieldId, {
          label: body.label ?? current.label,
          required: body.required ?? current.required,
          options: body.options,
          position: body.position,
        });
      });
      return fieldOut(field);
    },
  );

  app.delete(
    '/events/:eventId/fields/:fieldId',
    {
      schema: {
        tags,
        summary: 'Remove a custom field',
        description: "Participants' stored values are kept (nothing is lost); they are no longer shown or accepted.",
        params: FieldParams,
        response: { 204: NoContent, ...errors(404) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const { eventId, fieldId } = request.params;
      await db.transaction().execute((trx) => deleteCustomField(trx, app.deps, apiActor(request), orgId, eventId, fieldId));
      return reply.code(204).send(null);
    },
  );
}
