import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../lib/errors.js';
import { resolveSponsorSession, SPONSOR_LIMITS, type SponsorLogo, type SponsorSession } from '../../modules/sponsors/index.js';

/**
 * The sponsor session's own cookie, sent by the browser to /sponsor/ pages only: it is not a
 * staff cookie nor an attendee cookie, and no other page ever receives it.
 */
export const SPONSOR_COOKIE = 'tessera_sponsor';
export const SPONSOR_PATH = '/sponsor';

export function sponsorPath(sponsorId: string): string {
  return `${SPONSOR_PATH}/${sponsorId}`;
}

/** Where a sponsor session starts: the profile for editors, booth scanning for booth staff. */
export function sponsorHome(session: Pick<SponsorSession, 'sponsorId' | 'role'>): string {
  return session.role === 'editor' ? sponsorPath(session.sponsorId) : `${sponsorPath(session.sponsorId)}/leads`;
}

export function setSponsorCookie(app: FastifyInstance, reply: FastifyReply, token: string, session: SponsorSession): void {
  const seconds = Math.max(1, Math.floor((new Date(session.expiresAt).getTime() - app.deps.clock.now().getTime()) / 1000));
  reply.setCookie(SPONSOR_COOKIE, token, { path: SPONSOR_PATH, httpOnly: true, sameSite: 'lax', secure: app.deps.config.publicUrl.protocol === 'https:', maxAge: seconds });
}

export function clearSponsorCookie(reply: FastifyReply): void {
  reply.clearCookie(SPONSOR_COOKIE, { path: SPONSOR_PATH });
}

/**
 * The sponsor session for this sponsor, or a refusal: none (or ended, or revoked) is
 * unauthenticated; a session of another sponsor gets not_found, as a sponsor that does not exist;
 * a scan-only session asking for the profile is forbidden.
 */
export async function requireSponsor(app: FastifyInstance, request: FastifyRequest, sponsorId: string, need: 'profile' | 'booth' = 'profile'): Promise<SponsorSession> {
  const token = request.cookies[SPONSOR_COOKIE];
  const session = token ? await resolveSponsorSession(app.deps.db, app.deps, token) : null;
  if (!session) throw new DomainError('unauthenticated', 'Your sponsor session has ended. Open the link from your email again to continue.');
  if (session.sponsorId !== sponsorId) throw new DomainError('not_found', 'Not found');
  // Booth staff hold a scan-only link: the profile is for the sponsor's editors.
  if (need === 'profile' && session.role !== 'editor') throw new DomainError('forbidden', 'Your link opens booth scanning only.');
  return session;
}

/** The uploaded logo file's bytes; a file over the limit is refused while it streams in. */
export async function readLogoUpload(request: FastifyRequest): Promise<Buffer> {
  if (!request.isMultipart()) throw new DomainError('unsupported_media_type', 'Send the logo as a file upload');
  const file = await request.file({ limits: { fileSize: SPONSOR_LIMITS.logoMaxBytes, files: 1 } });
  if (!file) throw new DomainError('validation_failed', 'Choose an image file', [{ path: '/logo', message: 'Choose an image file' }]);
  return file.toBuffer();
}

/** Serves a logo as a plain image: its sniffed type, never rendered as a document. */
export function sendLogo(reply: FastifyReply, logo: SponsorLogo | null): FastifyReply {
  if (!logo) throw new DomainError('not_found', 'No logo');
  return reply
    .header('content-type', logo.type)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', 'inline; filename="logo"')
    .header('cache-control', 'private, max-age=300')
    .header('etag', `"${logo.version}"`)
    .send(logo.bytes);
}
