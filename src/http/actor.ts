import type { FastifyRequest } from 'fastify';
import type { Actor } from '../lib/context.js';

export function staffActor(request: FastifyRequest): Actor {
  const staff = request.staff;
  return { type: 'staff', id: staff?.id ?? null, label: staff?.email ?? null, ip: request.ip };
}

/** Someone not signed in (a visitor, a link's holder): known by their IP, and by `label` when the caller knows more. */
export function anonymousActor(request: FastifyRequest, label: string | null = null): Actor {
  return { type: 'anonymous', id: null, label, ip: request.ip };
}

export function apiActor(request: FastifyRequest): Actor {
  const key = request.apiKey;
  return { type: 'api_key', id: key?.id ?? null, label: key?.name ?? null, ip: request.ip };
}
