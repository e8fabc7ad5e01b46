import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Security headers on every response. helmet's middleware is built once here: the Fastify
 * wrapper rebuilt it (parsing the CSP directives) on every request, a few percent of the CPU
 * of a landing page.
 */
export function installSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  const middleware = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: options.https,
  });
  app.addHook('onRequest', (request, reply, done) => {
    middleware(request.raw, reply.raw, (err?: unknown) => done(err instanceof Error ? err : undefined));
  });
}
