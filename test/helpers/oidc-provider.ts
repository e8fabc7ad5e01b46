import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** An account at the test identity provider: what its ID tokens say. */
export interface IdpAccount {
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
}

export interface IdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

/**
 * A real OpenID Connect provider (oidc-provider) listening on 127.0.0.1, with its development
 * login and consent pages driven by plain HTTP (`authorize`). The issuer is known once it
 * listens; the clients are given afterwards (`setClients`), before the first request, because a
 * client's redirect URI names the Tessera provider id made with that issuer.
 */
export interface TestIdp {
  issuer: string;
  accounts: Map<string, IdpAccount>;
  setClients(clients: IdpClient[]): void;
  /** Runs the browser part of a sign-in: returns the redirect back to Tessera (code, state, iss). */
  authorize(authorizationUrl: string, login: string): Promise<URL>;
  close(): Promise<void>;
}

export async function startIdp(): Promise<TestIdp> {
  const accounts = new Map<string, IdpAccount>();
  let provider: Provider | null = null;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (!handler) {
      res.statusCode = 503;
      res.end('no clients yet');
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function setClients(clients: IdpClient[]): void {
    provider = new Provider(issuer, {
      clients: clients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: c.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      })),
      async findAccount(_ctx, sub) {
        const account = accounts.get(sub);
        if (!account) return undefined;
        return { accountId: sub, claims: async () => ({ sub, ...account }) };
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name'] },
      // Scope claims go into the ID token too (Tessera reads the ID token only).
      conformIdTokenClaims: false,
      cookies: { keys: ['test-idp-cookie-key'] },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
      features: { devInteractions: { enabled: true } },
    });
    handler = provider.callback();
  }

  async function authorize(authorizationUrl: string, login: string): Promise<URL> {
    const jar = new Map<string, string>();
    const remember = (response: Response) => {
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        const expired = attributes.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1] ?? '').getTime() < Date.now());
        if (!value || expired) jar.delete(name);
        else jar.set(name, value);
      }
    };
    const cookie = () => [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
    let url = new URL(authorizationUrl);
    for (let step = 0; step < 12; step++) {
      if (url.origin !== issuer) return url;
      const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } });
      remember(response);
      const location = response.headers.get('location');
      if (location) {
        url = new URL(location, url);
        continue;
      }
      const html = await response.text();
      const prompt = /name="prompt" value="(login|consent)"/.exec(html)?.[1];
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!prompt || !action) throw new Error(`unexpected page at the provider (${response.status}): ${html.slice(0, 300)}`);
      const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
      const submitted = await fetch(new URL(action, url), { method: 'POST', redirect: 'manual', headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' }, body });
      remember(submitted);
      const next = submitted.headers.get('location');
      if (!next) throw new Error(`the provider did not redirect after ${prompt} (${submitted.status})`);
      url = new URL(next, url);
    }
    throw new Error('too many steps at the provider');
  }

  return {
    issuer,
    accounts,
    setClients,
    authorize,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
