import type { FastifyInstance } from 'fastify';

/** REST API under /api/v1 with its OpenAPI description. */
export async function apiRoutes(_app: FastifyInstance): Promise<void> {}
