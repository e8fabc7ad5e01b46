import type { LightMyRequestResponse } from 'fastify';
import { createApiKey } from '../../src/modules/api-keys/index.js';
import type { TestApp } from './app.js';

const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };

/** Mints an API key for the organisation straight through the service; returns the raw key. */
export async function seedApiKey(t: TestApp, orgId: string, name = 'Test integration'): Promise<{ id: string; key: string }> {
  const created = await createApiKey(t.db, t.ctx, cli, orgId, { name });
  return { id: created.apiKey.id, key: created.secret };
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A JSON client for /api/v1 that authenticates with one key. */
export class ApiClient {
  constructor(
    private readonly t: TestApp,
    readonly key: string,
  ) {}

  request(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.t.app.inject({
      method,
      url: url.startsWith('/api/') ? url : `/api/v1${url}`,
      headers: { authorization: `Bearer ${this.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  }

  get(url: string) {
    return this.request('GET', url);
  }

  post(url: string, body: unknown, headers?: Record<string, string>) {
    return this.request('POST', url, body, headers);
  }

  patch(url: string, body: unknown) {
    return this.request('PATCH', url, body);
  }

  delete(url: string) {
    return this.request('DELETE', url);
  }
}

export async function apiClient(t: TestApp, orgId: string): Promise<ApiClient> {
  const { key } = await seedApiKey(t, orgId);
  return new ApiClient(t, key);
}

export const EVENT = { name: 'Summit 2026', starts_at: '2026-09-14T09:00:00+02:00', ends_at: '2026-09-15T18:00:00+02:00', time_zone: 'Europe/Paris' };

let events = 0;

/** Creates an event (with a unique name, hence slug) through the API and returns its id. */
export async function createEventViaApi(api: ApiClient, overrides: Record<string, unknown> = {}): Promise<string> {
  events += 1;
  const response = await api.post('/events', { ...EVENT, name: `${EVENT.name} #${events}`, ...overrides });
  if (response.statusCode !== 201) throw new Error(`event creation failed: ${response.statusCode} ${response.body}`);
  return (response.json() as { id: string }).id;
}
