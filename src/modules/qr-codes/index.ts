import { onParticipantStatusChanged } from '../participants/index.js';
import { qrStatusChanged } from './qr-code.service.js';
// {{ qr_code }} registers itself when the module loads (capabilities.ts imports this file).
import './qr-tag.js';

export * from './qr-code.types.js';
export {
  checkQr,
  eventPublicKey,
  findParticipantByLeadId,
  leadIdOf,
  qrCodeStatus,
  qrTextFor,
  revokedQrs,
  rotateQr,
} from './qr-code.service.js';
export { formatLeadId, normaliseLeadId, verifyQrText, type QrFields } from './qr-format.js';
export { qrPng, qrSvg } from './qr-image.js';
export { resealQrSigningKeys, type ResealReport } from './qr-key-rotation.js';

// Whatever path cancels someone (back-office, import, API), their code joins the revocation list
// in the same transaction.
onParticipantStatusChanged(async (db, _ctx, _orgId, eventId, changes) => {
  await qrStatusChanged(db, eventId, changes);
});
