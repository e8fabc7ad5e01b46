import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { connect } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { canonicalEmail } from '../src/lib/email.js';
import { systemClock } from '../src/lib/clock.js';
import { cryptoRandom } from '../src/lib/random.js';
import { createCustomField, type CustomFieldInput } from '../src/modules/custom-fields/index.js';
import { createEvent } from '../src/modules/events/index.js';
import { upsertParticipants, type ValidParticipant } from '../src/modules/participants/index.js';
import { createOrganisationWithOwner } from '../src/modules/setup/index.js';

/** Keys of this process only: what benches seed is never opened by a server with other keys. */
export const ctx = { clock: systemClock, random: cryptoRandom, keys: { hmac: [randomBytes(32).toString('base64')], encryption: [randomBytes(32).toString('base64')] } } as const;
export const actor = { type: 'cli' as const, id: null, label: 'bench', ip: null };
export const BENCH_PASSWORD = 'bench password 123';

const FIRST = ['Anna', 'Bruno', 'Chloé', 'David', 'Emma', 'François', 'Greta', 'Hugo', 'Inès', 'Jules', 'Karim', 'Léa', 'Marc', 'Nora', 'Omar', 'Paula'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'García', 'Müller'];
export const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Wonka'];

export const BENCH_FIELDS: CustomFieldInput[] = [
  { key: 'company', label: 'Company', type: 'text' },
  { key: 'job_title', label: 'Job title', type: 'text' },
  { key: 'phone', label: 'Phone', type: 'phone' },
  { key: 'country', label: 'Country', type: 'country' },
  { key: 'arrival', label: 'Arrival date', type: 'date' },
  { key: 'diet', label: 'Diet', type: 'single_choice', options: ['none', 'vegetarian', 'vegan', 'halal', 'kosher'] },
  { key: 'topics', label: 'Topics', type: 'multiple_choice', options: ['ai', 'cloud', 'security', 'data', 'web'] },
  { key: 'newsletter', label: 'Newsletter', type: 'checkbox' },
  { key: 'notes', label: 'Notes', type: 'long_text' },
  { key: 'badge_name', label: 'Badge name', type: 'text' },
];

export function benchPerson(i: number) {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  return {
    email: `person${i}@example${i % 50}.org`,
    firstName: first,
    lastName: `${last}${i % 97 === 0 ? 'son' : ''}`,
    fields: {
      company: `${COMPANIES[i % COMPANIES.length]} ${i % 1000}`,
      job_title: i % 3 === 0 ? 'Engineer' : 'Manager',
      phone: `+33 6 ${String(10_000_000 + i).slice(0, 8)}`,
      country: ['FR', 'DE', 'ES', 'IT', 'GB'][i % 5]!,
      arrival: `2026-09-${String((i % 28) + 1).padStart(2, '0')}`,
      diet: ['none', 'vegetarian', 'vegan', 'halal', 'kosher'][i % 5]!,
      topics: ['ai', 'cloud', 'security', 'data', 'web'].filter((_, k) => (i >> k) & 1),
      newsletter: i % 2 === 0,
      notes: i % 10 === 0 ? 'Needs wheelchair access' : '',
      badge_name: `${first} ${last}`,
    },
  };
}

/** A fresh database (SQLite in a temp dir, or PostgreSQL when DATABASE_URL is set) with one event. */
export async function seedEvent(participants: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const key = () => randomBytes(32).toString('base64');
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TESSERA_DATA_DIR: dataDir,
    TESSERA_COOKIE_KEY: key(),
    TESSERA_HMAC_KEY: key(),
    TESSERA_ENCRYPTION_KEY: key(),
  });
  const handle = connect({ databaseUrl: config.databaseUrl, dataDir });
  await migrateToLatest(handle.db);
  const email = `owner-${randomBytes(4).toString('hex')}@example.org`;
  const { organisation } = await handle.db.transaction().execute((trx) =>
    createOrganisationWithOwner(trx, ctx, actor, { organisationName: 'Bench Org', name: 'Bench Owner', email, password: BENCH_PASSWORD }),
  );
  const event = await createEvent(handle.db, ctx, actor, organisation.id, {
    name: `Bench ${randomBytes(3).toString('hex')}`,
    startsAt: '2026-09-10T08:00:00Z',
    endsAt: '2026-09-12T18:00:00Z',
    timeZone: 'Europe/Paris',
  });
  for (const field of BENCH_FIELDS) await createCustomField(handle.db, ctx, actor, organisation.id, event.id, field);
  const rows: ValidParticipant[] = [];
  for (let i = 0; i < participants; i++) {
    const p = benchPerson(i);
    const fields = Object.fromEntries(Object.entries(p.fields).filter(([, v]) => v !== '' && !(Array.isArray(v) && v.length === 0)));
    rows.push({ email: canonicalEmail(p.email)!, firstName: p.firstName, lastName: p.lastName, status: i % 4 === 0 ? 'registered' : 'imported', fields });
  }
  await handle.db.transaction().execute((trx) =>
    upsertParticipants(trx, ctx, actor, organisation.id, event.id, rows, { existing: 'skip', defaultStatus: 'imported' }),
  );
  if (handle.dialect === 'postgres') {
    // Steady state of a live database: autovacuum would have run after a bulk load like this one,
    // and index-only scans need the visibility map it sets.
    await sql`vacuum analyze participants`.execute(handle.db);
    await sql`vacuum analyze contacts`.execute(handle.db);
  }
  return { config, handle, orgId: organisation.id, eventId: event.id, ownerEmail: email };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function machine(): string {
  return `${process.platform} ${process.arch}, node ${process.version}`;
}
