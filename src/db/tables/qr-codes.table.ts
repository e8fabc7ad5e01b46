/** One Ed25519 key pair per event; the private key only ever sealed (lib/secret-box.ts). */
export interface QrEventKeysTable {
  event_id: string;
  org_id: string;
  /** `q` + base32 of a SHA-256 over the public key: names the key in offline bundles. Not secret. */
  key_id: string;
  /** base64 SPKI DER. */
  public_key: string;
  /** PKCS#8 DER (base64) sealed under the server encryption key, bound to `event:<event id>`. */
  sealed_private_key: string;
  /** Last number handed to a revocation (rotation, cancellation) in this event. */
  revocation_seq: number;
  created_at: string;
}

export interface QrCodesTable {
  participant_id: string;
  org_id: string;
  event_id: string;
  /** Current version: a code with a lower version is revoked. */
  version: number;
  /** 8 characters without look-alikes, unique in the event; shown as XXXX-XXXX. */
  lead_id: string;
  /** 1 while the participant is cancelled: the offline revocation list carries them. */
  cancelled: number;
  /** The event's revocation_seq of the last rotation or (un)cancellation; null if never revoked. */
  change_seq: number | null;
  created_at: string;
  rotated_at: string | null;
}
