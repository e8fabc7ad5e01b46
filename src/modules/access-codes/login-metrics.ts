import type { Db } from '../../db/database.js';
import { participantCounts } from '../participants/index.js';
import { distinctSignedIn, neverSignedIn, signInsByDay, type NeverSignedInRow } from './access-code.repository.js';
import type { LoginMetrics } from './access-code.types.js';

/** Sign-ins per day by method, how many people signed in, out of how many registered. */
export async function loginMetrics(db: Db, orgId: string, eventId: string): Promise<LoginMetrics> {
  const [days, distinct, counts] = await Promise.all([signInsByDay(db, orgId, eventId), distinctSignedIn(db, orgId, eventId), participantCounts(db, orgId, eventId)]);
  const byDay = new Map<string, LoginMetrics['days'][number]>();
  for (const row of days) {
    const day = byDay.get(row.day) ?? { day: row.day, access_code: 0, magic_link: 0, signin_link: 0 };
    day[row.method] += row.count;
    byDay.set(row.day, day);
  }
  return { days: [...byDay.values()], distinctAttendees: distinct, registered: counts.registered };
}

export interface NeverSignedInPage {
  items: Array<{ id: string; firstName: string; lastName: string; email: string; registeredAt: string | null }>;
  total: number;
}

/** Registered attendees who never signed in: whom a reminder should target. */
export async function attendeesNeverSignedIn(db: Db, orgId: string, eventId: string, page: { limit: number; offset: number }): Promise<NeverSignedInPage> {
  const { rows, total } = await neverSignedIn(db, orgId, eventId, Math.min(Math.max(page.limit, 1), 500), Math.max(page.offset, 0));
  return { items: rows.map((r: NeverSignedInRow) => ({ id: r.id, firstName: r.first_name, lastName: r.last_name, email: r.email, registeredAt: r.registered_at })), total };
}
