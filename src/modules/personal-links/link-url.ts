/** Every personal link opens its landing page here; the token says what it is for. */
export const LANDING_PREFIX = '/l/';

/**
 * A page's address on the configured public URL (never a request's Host header). The public
 * URL may carry a base path (Tessera behind a reverse proxy under /tickets/).
 */
export function publicPageUrl(publicUrl: URL, path: string): string {
  const base = publicUrl.href.endsWith('/') ? publicUrl.href : `${publicUrl.href}/`;
  return new URL(path.replace(/^\//, ''), base).href;
}

/** The link for a credential, on the configured public URL. */
export function landingUrl(publicUrl: URL, token: string): string {
  return publicPageUrl(publicUrl, `${LANDING_PREFIX}${token}`);
}
