import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../lib/errors.js';
import { verifyApiKey } from '../modules/api-keys/index.js';

const BEARER = /^Bearer +(\S{1,100})$/i;

/**
 * onRequest hook for /api/v1: `Authorization: Bearer <key>`. Missing, malformed, unknown and
 * revoked keys all get the same 401, so the answer tells an attacker nothing.
 */
export function authenticate(app: FastifyInstance) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const match = BEARER.exec(request.headers.authorization ?? '');
    const principal = match?.[1] ? await verifyApiKey(app.deps.db, app.deps, match[1]) : null;
    if (!principal) {
      reply.header('www-authenticate', 'Bearer realm="tessera"');
      throw new DomainError('invalid_api_key', 'The API key is missing, malformed, unknown or revoked');
    }
    request.apiKey = principal;
  };
}

/** The organisation of the key that authenticated this request: every query is scoped by it. */
export function orgOf(request: FastifyRequest): string {
  if (!request.apiKey) throw new DomainError('invalid_api_key', 'The API key is missing, malformed, unknown or revoked');
  return request.apiKey.orgId;
}
