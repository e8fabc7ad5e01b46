import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, errorStatus, type ErrorCode } from '../lib/errors.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Pages render HTML errors; the API and non-browser clients get JSON. */
export function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return true;
  const accept = request.headers.accept ?? '';
  return !accept.includes('text/html');
}

// Fastify's own error codes, mapped to ours so clients see one vocabulary.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_REQ_FILE_TOO_LARGE: 'payload_too_large',
  FST_FILES_LIMIT: 'payload_too_large',
  FST_PARTS_LIMIT: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'unsupported_media_type',
  FST_CSRF_INVALID_TOKEN: 'csrf_failed',
  FST_CSRF_MISSING_SECRET: 'csrf_failed',
  FST_ERR_VALIDATION: 'validation_failed',
};

export function toDomainError(error: FastifyError | Error): DomainError | null {
  if (error instanceof DomainError) return error;
  const fe = error as FastifyError;
  if (fe.validation) {
    const details = fe.validation.map((v) => ({ path: v.instancePath || (v.params as { missingProperty?: string })?.missingProperty || '', message: v.message }));
    return new DomainError('validation_failed', 'The request is not valid', details);
  }
  if (fe.statusCode === 429) return new DomainError('rate_limited', 'Too many requests, try again later');
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new DomainError(mapped, mapped === 'csrf_failed' ? 'The form expired, reload the page and try again' : fe.message);
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new DomainError('bad_request', 'The request is not valid');
  return null;
}

export type HtmlErrorRenderer = (request: FastifyRequest, reply: FastifyReply, error: DomainError, status: number) => unknown;

/** One error handler for the whole app: domain codes to HTTP, never a stack trace to the client. */
export function installErrorHandler(app: FastifyInstance, renderHtml: HtmlErrorRenderer): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const domain = toDomainError(error);
    if (!domain) {
      request.log.error({ err: error }, 'unhandled error');
      const generic = new DomainError('internal_error', 'Something went wrong on our side');
      return send(request, reply, generic, 500, renderHtml);
    }
    const status = errorStatus[domain.code];
    if (domain.code === 'rate_limited') reply.header('retry-after', reply.getHeader('retry-after') ?? '60');
    return send(request, reply, domain, status, renderHtml);
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new DomainError('not_found', 'Not found');
    return send(request, reply, error, 404, renderHtml);
  });
}

function send(request: FastifyRequest, reply: FastifyReply, error: DomainError, status: number, renderHtml: HtmlErrorRenderer) {
  reply.header('cache-control', 'no-store');
  if (!wantsJson(request)) return renderHtml(request, reply, error, status);
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  return reply.code(status).send(body);
}
