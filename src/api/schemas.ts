import { Type, type TSchema } from '@sinclair/typebox';
import { errorStatus, type ErrorCode } from '../lib/errors.js';
import { ID_REGEX_SOURCE } from '../lib/ids.js';

/**
 * Building blocks for the API's TypeBox schemas. Request schemas are closed (unknown fields are
 * refused), every string has a maximum length and every id a pattern, so bad input is a 400
 * before any handler runs. Response schemas double as the OpenAPI description.
 */
export const Id = Type.String({ pattern: ID_REGEX_SOURCE, maxLength: 26, description: '26-character id (lower-case base32)' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 UTC' });

export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

export function Enum<T extends string>(values: readonly T[], description?: string) {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    description ? { description } : {},
  );
}

export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size, 1 to 200 (default 50)' });

const ERROR_CODES = Object.keys(errorStatus) as ErrorCode[];

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Unsafe<ErrorCode>({ type: 'string', enum: ERROR_CODES, description: 'Stable, machine-readable code' }),
      message: Type.String({ description: 'Human-readable explanation; may change' }),
      details: Type.Optional(Type.Unknown({ description: 'Where the request went wrong, e.g. [{ path, message }]' })),
    }),
  },
  { description: 'Error' },
);

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (validation_failed, bad_request)',
  401: 'Missing, unknown or revoked API key (invalid_api_key)',
  404: 'Not found in this organisation (not_found)',
  409: 'Conflict (duplicate_email, duplicate_slug, duplicate_field_key, idempotency_conflict)',
  413: 'Body too large (payload_too_large)',
  415: 'Body is not JSON (unsupported_media_type)',
  422: 'Some items are invalid; nothing was written (items_invalid)',
  429: 'Rate limit reached (rate_limited); see retry-after',
};

/** The error responses a route can give, for serialization and for the OpenAPI document. */
export function errors(...statuses: number[]): Record<number, typeof ErrorBody> {
  const out: Record<number, typeof ErrorBody> = {};
  for (const status of [400, 401, 429, ...statuses]) {
    out[status] = Type.Object(ErrorBody.properties, { description: ERROR_DESCRIPTIONS[status] ?? 'Error' });
  }
  return out;
}

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7E]+$',
      description: 'Any unique string (a UUID is fine), up to 200 visible ASCII characters. Repeating a POST with the same key within 24 hours returns the first response instead of writing again.',
    }),
  ),
});

export const NoContent = Type.Null({ description: 'Done, no content' });
