import { createHash } from 'node:crypto';
import { DomainError } from '../../lib/errors.js';
import { SPONSOR_LIMITS, type LogoType } from './sponsor.types.js';

/**
 * The image type by its first bytes, never by the name or the browser's claim. Only raster
 * formats browsers show as plain images: SVG is left out because it can carry script.
 */
export function sniffLogo(bytes: Buffer): LogoType | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

export interface CheckedLogo {
  type: LogoType;
  base64: string;
  sha: string;
}

export function checkLogo(bytes: Buffer): CheckedLogo {
  if (bytes.length === 0) throw new DomainError('validation_failed', 'Choose an image file', [{ path: '/logo', message: 'Choose an image file' }]);
  if (bytes.length > SPONSOR_LIMITS.logoMaxBytes) {
    throw new DomainError('payload_too_large', `The logo must be at most ${SPONSOR_LIMITS.logoMaxBytes / 1024} KB`);
  }
  const type = sniffLogo(bytes);
  if (!type) throw new DomainError('unsupported_media_type', 'The logo must be a PNG, JPEG or WebP image');
  return { type, base64: bytes.toString('base64'), sha: createHash('sha256').update(bytes).digest('hex') };
}
