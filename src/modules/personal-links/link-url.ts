/** Every personal link opens its landing page here; the token says what it is for. */
export const LANDING_PREFIX = '/l/';

/**
 * The link for a credential, on the configured public URL (never a request's Host header).
 * The public URL may carry a base path (Tessera behind a reverse proxy under /tickets/).
 */
export function landingUrl(publicUrl: URL, token: string): string {
  const base = publicUrl.href.endsWith('/') ? publicUrl.href : `${publicUrl.href}/`;
  return new URL(`${LANDING_PREFIX.slice(1)}${token}`, base).href;
}
