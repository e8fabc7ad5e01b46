/**
 * Paths of pages that open as one person (personal link landings, web app, setup, verification,
 * unsubscribe). A link to them in an email must come from that person's merge tag, minted at
 * send time: a literal link in a template would send one person's page (or none) to everybody.
 * The template linter refuses such links; capabilities that add personal pages mount them under
 * one of these prefixes. The event site (/e/) is generic and may be linked literally: its
 * personal forms open only through a /l/ landing, which gives the session that unlocks them.
 */
export const PERSONAL_PATH_PREFIXES: readonly string[] = ['/l/', '/app/', '/setup/', '/verify/', '/u/'];

/** True when a path (relative to the public URL's base path) opens a personal page. */
export function isPersonalPath(pathname: string): boolean {
  const path = pathname.toLowerCase();
  return PERSONAL_PATH_PREFIXES.some((prefix) => path.startsWith(prefix) || path === prefix.slice(0, -1));
}
