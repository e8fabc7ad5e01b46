export interface AuditLogTable {
  id: string;
  org_id: string | null;
  actor_type: 'staff' | 'api_key' | 'system' | 'attendee' | 'cli' | 'anonymous' | 'sponsor' | 'customer';
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  /** JSON text with non-secret details. */
  data: string;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  org_id: string;
  name: string;
  /** First characters of the key, shown in the list so the owner can tell keys apart. */
  display_prefix: string;
  key_hash: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface IdempotencyKeysTable {
  org_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response_body: string;
  created_at: string;
}

export interface ImportsTable {
  id: string;
  org_id: string;
  event_id: string;
  created_by: string;
  file_name: string;
  file_path: string;
  size_bytes: number;
  /** JSON text: the column mapping chosen by the organiser, or null before mapping. */
  mapping: string | null;
  existing_policy: 'update' | 'skip';
  status: 'uploaded' | 'checked' | 'imported' | 'failed';
  /** JSON text: counts and errors from the last dry run or import. */
  result: string | null;
  created_at: string;
  updated_at: string;
}
