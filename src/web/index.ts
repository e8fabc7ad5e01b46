import type { FastifyInstance } from 'fastify';
import { authRoutes } from './auth.routes.js';
import { setupRoutes } from './setup.routes.js';

/** Every server-rendered page. Each file is one Fastify plugin. */
export async function webRoutes(app: FastifyInstance): Promise<void> {
  await app.register(authRoutes);
  await app.register(setupRoutes);
}
