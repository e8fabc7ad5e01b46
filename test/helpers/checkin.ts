import { randomUUID } from 'node:crypto';
import { qrTextFor, rotateQr, verifyQrText } from '../../src/modules/qr-codes/index.js';
import { apiClient, createEventViaApi, type ApiClient } from './api.js';
import type { TestApp } from './app.js';
import { seedOrganisation, type Org } from './fixtures.js';

const cli = { type: 'cli' as const, id: null, label: 'test', ip: null };

export interface CheckInSetup {
  org: Org;
  api: ApiClient;
  eventId: string;
}

export async function checkInSetup(t: TestApp): Promise<CheckInSetup> {
  const org = await seedOrganisation(t);
  const api = await apiClient(t, org.orgId);
  return { org, api, eventId: await createEventViaApi(api) };
}

let people = 0;

/**
 * A registered participant created through the API, with the QR code their email, badge and web
 * app would carry (qrTextFor is how every one of those gets it).
 */
export async function attendee(t: TestApp, s: CheckInSetup, eventId = s.eventId, overrides: Record<string, unknown> = {}): Promise<{ id: string; qr: string; name: string }> {
  people += 1;
  const first = `Guest${people}`;
  const response = await s.api.post(`/events/${eventId}/participants`, { email: `guest${people}-${process.pid}@example.org`, first_name: first, last_name: 'Doe', ...overrides });
  if (response.statusCode !== 201) throw new Error(`participant creation failed: ${response.statusCode} ${response.body}`);
  const id = (response.json() as { id: string }).id;
  return { id, qr: await qrTextFor(t.db, t.ctx, t.ctx.keys, s.org.orgId, eventId, id), name: `${first} Doe` };
}

export async function rotate(t: TestApp, s: CheckInSetup, participantId: string, eventId = s.eventId): Promise<string> {
  await t.db.transaction().execute((trx) => rotateQr(trx, t.ctx, cli, s.org.orgId, eventId, participantId));
  return qrTextFor(t.db, t.ctx, t.ctx.keys, s.org.orgId, eventId, participantId);
}

export function nonce(): string {
  return randomUUID();
}

export interface CheckInJson {
  checkin_id: string;
  result: string;
  participant: { id: string; display_name: string; status: string; attention_note: string | null } | null;
  session_id: string | null;
  first_checked_in_at: string | null;
  replayed: boolean;
  offline: boolean;
}

export function scanBody(code: string, options: { device?: string; nonce?: string; session?: string | null; scannedAt?: string } = {}) {
  return {
    code,
    device_id: options.device ?? 'door-1',
    nonce: options.nonce ?? nonce(),
    ...(options.session !== undefined ? { session_id: options.session } : {}),
    ...(options.scannedAt ? { scanned_at: options.scannedAt } : {}),
  };
}

export interface BundleJson {
  event: { id: string };
  public_key: { key_id: string; public_key: string };
  participants: Array<{ id: string; display_name: string; status: string; qr_version: number; attention_note: string | null } & Record<string, unknown>>;
  revocations: Array<{ participant_id: string; min_version: number; cancelled: boolean }>;
  next_cursor: string;
  more: boolean;
}

/**
 * A scanner device's offline state, kept the way docs/check-in.md tells a client to: people and
 * revocations merged by id from each sync, codes checked with the bundle's public key only.
 */
export class OfflineDevice {
  eventId = '';
  publicKey = '';
  cursor: string | undefined;
  readonly people = new Map<string, BundleJson['participants'][number]>();
  readonly revocations = new Map<string, { minVersion: number; cancelled: boolean }>();
  readonly admitted = new Set<string>();

  constructor(
    private readonly api: ApiClient,
    private readonly event: string,
  ) {}

  /** Pulls pages until `more` is false; returns how many people the sync carried. */
  async sync(limit?: number): Promise<number> {
    let received = 0;
    for (;;) {
      const query = new URLSearchParams();
      if (this.cursor) query.set('cursor', this.cursor);
      if (limit) query.set('limit', String(limit));
      const response = await this.api.get(`/events/${this.event}/checkin/bundle?${query}`);
      if (response.statusCode !== 200) throw new Error(`bundle: ${response.statusCode} ${response.body}`);
      const bundle = response.json() as BundleJson;
      this.eventId = bundle.event.id;
      this.publicKey = bundle.public_key.public_key;
      for (const person of bundle.participants) this.people.set(person.id, person);
      for (const r of bundle.revocations) this.revocations.set(r.participant_id, { minVersion: r.min_version, cancelled: r.cancelled });
      received += bundle.participants.length;
      this.cursor = bundle.next_cursor;
      if (!bundle.more) return received;
    }
  }

  /** What the device shows at the door without network. */
  judge(code: string): string {
    const fields = verifyQrText(this.publicKey, code.trim().toUpperCase());
    if (!fields) return 'forged';
    if (fields.eventId !== this.eventId) return 'wrong_event';
    const person = this.people.get(fields.participantId);
    if (!person) return 'unknown';
    const revocation = this.revocations.get(fields.participantId);
    if (person.status === 'cancelled' || revocation?.cancelled) return 'cancelled';
    if (fields.version < person.qr_version || (revocation && fields.version < revocation.minVersion)) return 'revoked';
    if (this.admitted.has(person.id)) return 'already_checked_in';
    this.admitted.add(person.id);
    return 'admitted';
  }
}
