/**
 * Every refusal Tessera can give, with the HTTP status it maps to. This catalogue is the one
 * place where domain codes meet HTTP: services throw `DomainError('code')`, the error handler
 * looks the status up here. Adding a code means adding a line here, so no code goes unmapped.
 */
export const errorStatus = {
  validation_failed: 400,
  invalid_id: 400,
  invalid_email: 400,
  invalid_field_value: 400,
  unknown_field: 400,
  bad_request: 400,
  csrf_failed: 403,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_api_key: 401,
  forbidden: 403,
  registration_closed: 403,
  form_closed: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  duplicate_email: 409,
  duplicate_slug: 409,
  duplicate_field_key: 409,
  idempotency_conflict: 409,
  last_owner: 409,
  template_not_linked: 409,
  template_in_use: 409,
  not_registered: 409,
  session_in_use: 409,
  setup_link_invalid: 410,
  link_invalid: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  import_invalid: 422,
  items_invalid: 422,
  template_invalid: 422,
  personal_value_shared: 422,
  not_a_lead_id: 422,
  own_lead: 422,
  lead_unknown: 404,
  import_expired: 410,
  rate_limited: 429,
  internal_error: 500,
  not_ready: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? code);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

export function notFound(what = 'resource'): DomainError {
  return new DomainError('not_found', `${what} not found`);
}
