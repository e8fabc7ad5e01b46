import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_participant_search.js';
import * as m0003 from './migrations/0003_emailing.js';
import * as m0004 from './migrations/0004_mailbox.js';
import * as m0005 from './migrations/0005_personal_links.js';
import * as m0006 from './migrations/0006_suppression_details.js';
import * as m0006MailboxRaw from './migrations/0006_mailbox_raw.js';
import * as m0007 from './migrations/0007_outbox_lean.js';
import * as m0008 from './migrations/0008_rsvp_answers.js';
import * as m0009 from './migrations/0009_access_codes.js';
import * as m0010 from './migrations/0010_qr_codes.js';
import * as m0011 from './migrations/0011_checkin.js';
import * as m0012 from './migrations/0012_badges.js';
import * as m0013 from './migrations/0013_sponsors.js';
import * as m0014 from './migrations/0014_meetings.js';
import * as m0015 from './migrations/0015_leads.js';
import * as m0016 from './migrations/0016_shop.js';

// A static list rather than a folder scan: works the same from src/ (tsx) and dist/ (built).
const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_participant_search': m0002,
  '0003_emailing': m0003,
  '0004_mailbox': m0004,
  '0005_personal_links': m0005,
  '0006_suppression_details': m0006,
  '0006_mailbox_raw': m0006MailboxRaw,
  '0007_outbox_lean': m0007,
  '0008_rsvp_answers': m0008,
  '0009_access_codes': m0009,
  '0010_qr_codes': m0010,
  '0011_checkin': m0011,
  '0012_badges': m0012,
  '0013_sponsors': m0013,
  '0014_meetings': m0014,
  '0015_leads': m0015,
  '0016_shop': m0016,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
