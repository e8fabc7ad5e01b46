import './modules/capabilities.js';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { Kysely } from 'kysely';
import { serverKeys, type Config } from './config.js';
import type { Database, Dialect } from './db/database.js';
import { installErrorHandler } from './http/error-handler.js';
import { healthRoutes } from './http/health.routes.js';
import { loadStaffSession } from './http/staff-session.js';
import { installSecurityHeaders } from './http/security-headers.js';
import type { AppDeps } from './http/types.js';
import { systemClock, type Clock } from './lib/clock.js';
import { cryptoRandom, type Random } from './lib/random.js';
import { TOKEN_SEARCH_PATTERN } from './lib/tokens.js';
import { apiRoutes } from './api/index.js';
import { renderErrorPage } from './web/error-page.js';
import { webRoutes } from './web/index.js';

export interface BuildOptions {
  config: Readonly<Config>;
  db: Kysely<Database>;
  dialect: Dialect;
  clock?: Clock;
  random?: Random;
  /** Log destination for tests that inspect logs; defaults to stdout. */
  logStream?: NodeJS.WritableStream;
}

// Any Tessera token (or CSRF token) in a logged URL is replaced before the line is written.
export function redactUrl(url: string): string {
  return url
    // Whatever follows /l/ is a personal link's credential, or was one before a mail client
    // mangled it (cut, upper-cased, percent-encoded): never logged in any form.
    .replace(/^\/l\/[^/?#]*/, '/l/[redacted]')
    .replace(TOKEN_SEARCH_PATTERN, 'tsr_[redacted]')
    .replace(/tsr(?:_|%5f)[a-z0-9_%-]{6,}/gi, 'tsr_[redacted]')
    // Multipart forms carry their CSRF token in the query string; an SSO callback its
    // authorisation code and state.
    .replace(/([?&](?:_csrf|code|state)=)[^&#]*/g, '$1[redacted]')
    // Unsubscribe links are signed, not tsr_ tokens; they stay out of logs all the same.
    .replace(/^\/u\/[^?#]*/, '/u/[redacted]');
}

const STYLESHEET = new URL('../public/style.css', import.meta.url);

/**
 * Rate limits count in-process by default; with REDIS_URL every app node shares the counters.
 * ioredis is loaded only then, so a single-node install does not pay for it.
 */
async function sharedRateLimitStore(app: FastifyInstance, config: Readonly<Config>) {
  if (!config.redisUrl) return {};
  const { Redis } = await import('ioredis');
  const redis = new Redis(config.redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  app.addHook('onClose', async () => {
    await redis.quit();
  });
  return { redis, skipOnError: false, nameSpace: 'tessera-rl-' };
}

/** Builds the whole HTTP app without listening, so tests drive it through inject(). */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  const deps: AppDeps = {
    db: options.db,
    dialect: options.dialect,
    config,
    keys: serverKeys(config),
    clock: options.clock ?? systemClock,
    random: options.random ?? cryptoRandom,
  };

  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(options.logStream ? { stream: options.logStream } : {}),
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      serializers: {
        req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
      },
    },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    routerOptions: { maxParamLength: 200 },
  });

  app.decorate('deps', deps);
  app.decorateRequest('staff', null);
  app.decorateRequest('apiKey', null);

  installSecurityHeaders(app, { https: config.publicUrl.protocol === 'https:' });
  await app.register(cookie, { secret: config.secrets.cookieKey });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', signed: true, secure: config.publicUrl.protocol === 'https:' },
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      const query = request.query as Record<string, unknown> | undefined;
      const header = request.headers['x-csrf-token'];
      const candidate = body?.['_csrf'] ?? query?.['_csrf'] ?? header;
      return typeof candidate === 'string' ? candidate : '';
    },
  });
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(multipart, { limits: { fileSize: config.importMaxBytes, files: 1, fields: 20 } });
  await app.register(rateLimit, { global: false, allowList: [...config.rateLimitAllow], ...(await sharedRateLimitStore(app, config)) });

  app.addHook('onRequest', loadStaffSession);
  // Every state-changing request outside the API (which uses bearer keys, not cookies) must carry
  // the CSRF token of the form it came from.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    if (request.url.startsWith('/api/')) return;
    // Routes whose authority is a token in their URL, not a cookie, opt out (the RFC 8058
    // one-click unsubscribe POST comes from a mail provider that has neither cookie nor form).
    if (request.routeOptions.config.csrf === false) return;
    await new Promise<void>((resolve, reject) => {
      app.csrfProtection(request, reply, (err?: Error) => (err ? reject(err) : resolve()));
    });
  });

  installErrorHandler(app, renderErrorPage);

  const stylesheet = readFileSync(STYLESHEET, 'utf8');
  app.get('/static/style.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
  await app.register(healthRoutes);
  await app.register(webRoutes);
  await app.register(apiRoutes);
  return app;
}
