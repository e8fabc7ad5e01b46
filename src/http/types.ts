import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database, Dialect } from '../db/database.js';
import type { Ctx } from '../lib/context.js';
import type { StaffUser } from '../modules/staff/index.js';

/** Everything a route needs, built once by the composition root and decorated on the app. */
export interface AppDeps extends Ctx {
  db: Kysely<Database>;
  dialect: Dialect;
  config: Readonly<Config>;
}

export interface ApiKeyPrincipal {
  id: string;
  orgId: string;
  name: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyRequest {
    staff: StaffUser | null;
    apiKey: ApiKeyPrincipal | null;
  }
  interface FastifyContextConfig {
    /** false: a POST authorised by a token in its URL, not by a cookie, so no CSRF token applies. */
    csrf?: boolean;
  }
}
