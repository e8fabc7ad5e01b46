import type { ImportsTable } from '../../db/database.js';

export type ImportStatus = ImportsTable['status'];
export type ExistingPolicy = ImportsTable['existing_policy'];
export const EXISTING_POLICIES: readonly ExistingPolicy[] = ['update', 'skip'];

/** What a file column feeds: a participant attribute, a custom field (`field:<key>`), or nothing. */
export type ColumnTarget = 'ignore' | 'email' | 'first_name' | 'last_name' | 'status' | `field:${string}`;
export const BUILT_IN_TARGETS: readonly ColumnTarget[] = ['email', 'first_name', 'last_name', 'status'];

export type Delimiter = ',' | ';' | '\t';

export interface ImportMapping {
  delimiter: Delimiter;
  /** One target per column of the file, in file order. */
  columns: ColumnTarget[];
}

export interface RowError {
  /** Physical line of the file where the record starts (the header is line 1). */
  line: number;
  email: string | null;
  reasons: string[];
}

/** What a dry run found, or what an import did. Stored as JSON in imports.result. */
export interface ImportReport {
  kind: 'dry_run' | 'import' | 'failed';
  /** Data records read (the header and blank lines not counted). */
  rows: number;
  valid: number;
  invalid: number;
  /** The first bad rows (at most MAX_STORED_ERRORS); `invalid` counts them all. */
  errors: RowError[];
  /** A problem with the file as a whole (unreadable CSV): nothing can be imported. */
  fatal: string | null;
  /** Valid rows whose email is already a participant of the event (dry run). */
  existing: number;
  created: number;
  updated: number;
  skipped: number;
  policy: ExistingPolicy;
  at: string;
}

export const MAX_STORED_ERRORS = 1000;

export interface Import {
  id: string;
  orgId: string;
  eventId: string;
  createdBy: string;
  fileName: string;
  sizeBytes: number;
  /** False once the file was imported or removed as stale. */
  hasFile: boolean;
  mapping: ImportMapping | null;
  existingPolicy: ExistingPolicy;
  status: ImportStatus;
  report: ImportReport | null;
  createdAt: string;
  updatedAt: string;
}

export interface ImportPreview {
  delimiter: Delimiter;
  headers: string[];
  /** The first data rows, padded to the header's width. */
  rows: string[][];
  /** Current mapping, or a guess from header names and field labels. */
  columns: ColumnTarget[];
}
