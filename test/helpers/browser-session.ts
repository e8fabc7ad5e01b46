import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A minimal cookie-keeping client over app.inject(): it behaves like a browser for our forms
 * (keeps cookies, fetches the CSRF token from a rendered form before posting).
 */
export class Session {
  readonly cookies = new Map<string, string>();

  /** `ip`: the address every request of this browser comes from (rate limits count per IP). */
  constructor(
    private readonly app: FastifyInstance,
    private readonly options: { ip?: string } = {},
  ) {}

  private get from(): { remoteAddress?: string } {
    return this.options.ip ? { remoteAddress: this.options.ip } : {};
  }

  private remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  cookieHeader(only?: string[]): string {
    return [...this.cookies].filter(([name]) => !only || only.includes(name)).map(([n, v]) => `${n}=${v}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url, ...this.from, headers: { accept: 'text/html', cookie: this.cookieHeader(), ...headers } });
    this.remember(response);
    return response;
  }

  /** A CSRF token valid for this session's forms (taken from the public sign-in form). */
  async csrf(): Promise<string> {
    const response = await this.app.inject({ method: 'GET', url: '/admin/login', ...this.from, headers: { accept: 'text/html', cookie: this.cookieHeader(['_csrf']) } });
    this.remember(response);
    const match = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (!match?.[1]) throw new Error('no CSRF token on the sign-in page');
    return match[1];
  }

  /** `headers` are sent as well (a forged Host, a proxy's X-Forwarded-Host). */
  async post(url: string, fields: Record<string, string | string[]>, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    if (options.csrf !== false) body.append('_csrf', await this.csrf());
    for (const [key, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    }
    const response = await this.app.inject({
      method: 'POST',
      url,
      ...this.from,
      headers: { accept: 'text/html', cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
      payload: body.toString(),
    });
    this.remember(response);
    return response;
  }
}
