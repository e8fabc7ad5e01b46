import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { claimIdempotencyKey, completeIdempotencyKey, pruneIdempotencyKeys, requestHash } from '../modules/api-keys/index.js';
import { orgOf } from './auth.js';

const PRUNE_EVERY_MS = 10 * 60_000;

type Outcome = { kind: 'fresh'; body: string } | { kind: 'replay'; statusCode: number; body: string };

/**
 * Runs an API write in one transaction and answers with `status`. With an Idempotency-Key header
 * the key is claimed in the same transaction before the write and the serialized response stored
 * with it, so a repeat replays the first answer byte for byte (with `idempotent-replayed: true`).
 */
export function idempotentWriter(app: FastifyInstance) {
  const { db } = app.deps;
  let lastPrune = 0;

  async function prune(): Promise<void> {
    const now = app.deps.clock.now().getTime();
    if (now - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = now;
    await pruneIdempotencyKeys(db, app.deps);
  }

  return async function write(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    run: (trx: Transaction<Database>) => Promise<unknown>,
  ): Promise<FastifyReply> {
    const key = request.headers['idempotency-key'];
    const orgId = orgOf(request);
    if (typeof key === 'string') await prune();
    const outcome = await db.transaction().execute(async (trx): Promise<Outcome> => {
      const claim =
        typeof key === 'string'
          ? await claimIdempotencyKey(trx, app.deps, { orgId, key, requestHash: requestHash(request.method, request.url, request.body) })
          : null;
      if (claim?.kind === 'replay') return claim;
      const result = await run(trx);
      // Serialized with the route's response schema, exactly as a normal reply would be.
      reply.code(status);
      const body = reply.serialize(result) as string;
      if (claim) await completeIdempotencyKey(trx, { orgId, key: key as string }, { statusCode: status, body });
      return { kind: 'fresh', body };
    });
    if (outcome.kind === 'replay') reply.code(outcome.statusCode).header('idempotent-replayed', 'true');
    return reply.type('application/json; charset=utf-8').send(outcome.body);
  };
}

export type Write = ReturnType<typeof idempotentWriter>;
