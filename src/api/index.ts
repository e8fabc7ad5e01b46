import type { FastifyError, FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { DomainError } from '../lib/errors.js';
import { accessCodeRoutes } from './access-codes.routes.js';
import { authenticate } from './auth.js';
import { checkInRoutes } from './checkin.routes.js';
import { eventRoutes } from './events.routes.js';
import { fieldRoutes } from './fields.routes.js';
import { idempotentWriter } from './idempotency.js';
import { participantRoutes } from './participants.routes.js';
import { participantLinkRoutes } from './participant-links.routes.js';
import { suppressionRoutes } from './suppressions.routes.js';

export const API_PREFIX = '/api/v1';
/** Requests per minute per API key. */
export const API_RATE_LIMIT = 600;

const DESCRIPTION = `REST API of Tessera. Authenticate with an API key from the back-office (Organisation > API keys):
\`Authorization: Bearer tsr_apikey_...\`. A key acts for one organisation only.

Lists are paginated: pass \`next_cursor\` back as \`cursor\` until it is null. POST requests honour an
\`Idempotency-Key\` header for 24 hours. Errors are JSON: \`{ "error": { "code", "message", "details" } }\`
with a stable \`code\`. More in docs/api.md.`;

// Service errors name fields as the domain does (startsAt); the API speaks snake_case.
function snakeCasePaths(error: FastifyError | Error): Error {
  if (!(error instanceof DomainError) || !Array.isArray(error.details)) return error;
  const details = (error.details as unknown[]).map((item) => {
    if (!item || typeof item !== 'object' || typeof (item as { path?: unknown }).path !== 'string') return item;
    const entry = item as { path: string };
    return { ...entry, path: entry.path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) };
  });
  return new DomainError(error.code, error.message, details);
}

type Json = unknown;

/**
 * TypeBox writes a string union as anyOf of one-value enums; the document reads better (and
 * generators make better enums) with one `enum`.
 */
export function collapseEnums(node: Json): Json {
  if (Array.isArray(node)) return node.map(collapseEnums);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, Json>).map(([key, value]) => [key, collapseEnums(value)] as const);
  const out = Object.fromEntries(entries) as Record<string, Json>;
  const anyOf = out['anyOf'];
  const single = (s: Json): s is { type: 'string'; enum: [string] } =>
    !!s && typeof s === 'object' && (s as { type?: unknown }).type === 'string' && Array.isArray((s as { enum?: unknown }).enum) && (s as { enum: unknown[] }).enum.length === 1 && Object.keys(s).length === 2;
  if (Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every(single)) {
    delete out['anyOf'];
    return { ...out, type: 'string', enum: anyOf.map((s) => s.enum[0]) };
  }
  return out;
}

/** /api/v1: JSON only, bearer API keys, per-key rate limit, strict validation. */
async function v1(app: FastifyInstance): Promise<void> {
  // Request bodies are validated without type coercion: "5" is not a number, null is not "".
  // Query strings and params still convert text to numbers through TypeBox.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  // Thrown on: the app's error handler answers, with snake_case paths.
  app.setErrorHandler((error: FastifyError) => {
    throw snakeCasePaths(error);
  });
  app.addHook('onRequest', authenticate(app));
  app.addHook(
    'onRequest',
    app.rateLimit({ max: API_RATE_LIMIT, timeWindow: '1 minute', keyGenerator: (request) => `api_key:${request.apiKey?.id ?? request.ip}` }),
  );

  const write = idempotentWriter(app);
  eventRoutes(app, write);
  fieldRoutes(app, write);
  participantRoutes(app, write);
  participantLinkRoutes(app, write);
  accessCodeRoutes(app, write);
  suppressionRoutes(app, write);
  checkInRoutes(app, write);
}

/** REST API under /api/v1 with its OpenAPI description at /api/openapi.json and docs at /api/docs. */
export async function apiRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app.deps;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tessera API', version: '1.0.0', description: DESCRIPTION },
      servers: [{ url: config.publicUrl.toString().replace(/\/$/, '') }],
      tags: [
        { name: 'Events', description: 'Events of the organisation' },
        { name: 'Custom fields', description: 'Extra participant fields of an event' },
        { name: 'Participants', description: 'People in an event' },
        { name: 'Access codes', description: 'Access code status (never the code), resending credentials, app sign-in metrics' },
        { name: 'Suppressions', description: 'Addresses that get no email (bounced, invalid) or no marketing email (unsubscribed)' },
        { name: 'Check-in', description: 'Sessions, scanning (online with a nonce, offline bundle and uploads), conflicts and counts' },
      ],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (tsr_apikey_...) created in the back-office' },
        },
      },
      security: [{ apiKey: [] }],
    },
    transformObject: (documentObject) => collapseEnums('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as never,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
    theme: { title: 'Tessera API' },
    // Our own Content-Security-Policy (script-src 'self', no external hosts) stays on the docs:
    // Swagger UI is served entirely from the bundled files.
    staticCSP: false,
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(v1, { prefix: API_PREFIX });
}
