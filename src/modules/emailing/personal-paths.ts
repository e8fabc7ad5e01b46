/**
 * Paths of pages that open as one person (web app, secure forms, setup, verification,
 * unsubscribe). A link to them in an email must come from that person's merge tag, minted at
 * send time: a literal link in a template would send one person's page (or none) to everybody.
 * The template linter refuses such links; capabilities that add personal pages mount them under
 * one of these prefixes.
 */
export const PERSONAL_PATH_PREFIXES: readonly string[] = ['/e/', '/app/', '/setup/', '/verify/', '/u/'];

/** True when a path (relative to the public URL's base path) opens a personal page. */
export function isPersonalPath(pathname: string): boolean {
  const path = pathname.toLowerCase();
  return PERSONAL_PATH_PREFIXES.some((prefix) => path.startsWith(prefix) || path === prefix.slice(0, -1));
}
