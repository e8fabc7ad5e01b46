/** Why a scanned code is refused: stable codes the check-in screens translate. */
export type QrRefusal = 'forged' | 'wrong_event' | 'revoked' | 'unknown';

export type QrCheck =
  | { ok: true; participantId: string; version: number; leadId: string }
  | { ok: false; reason: QrRefusal };

/** One participant's revocation state: codes below `minVersion`, or all when cancelled, are refused. */
export interface QrRevocation {
  participantId: string;
  minVersion: number;
  cancelled: boolean;
}

export interface QrRevocationPage {
  entries: QrRevocation[];
  /** Opaque; pass it back to get only later changes. */
  cursor: string;
  /** True when more entries wait: ask again at once with the new cursor. */
  more: boolean;
}

export interface QrCodeStatus {
  version: number;
  rotatedAt: string | null;
  createdAt: string;
}
