import type { Db, RecipientKind } from '../../db/database.js';
import { DomainError } from '../../lib/errors.js';
import { getContact } from '../contacts/index.js';
import { findMembers } from '../organisations/index.js';
import { getParticipantsByIds } from '../participants/index.js';
import type { RecipientData } from './emailing.types.js';

export interface RecipientKey {
  orgId: string;
  kind: RecipientKind;
  id: string;
}

export const recipientKey = (r: RecipientKey) => `${r.orgId}:${r.kind}:${r.id}`;

function splitName(name: string): { firstName: string; lastName: string } {
  const space = name.trim().indexOf(' ');
  return space < 0 ? { firstName: name.trim(), lastName: '' } : { firstName: name.slice(0, space).trim(), lastName: name.slice(space + 1).trim() };
}

async function loadKind(db: Db, orgId: string, kind: RecipientKind, ids: string[]): Promise<RecipientData[]> {
  if (kind === 'participant') {
    return (await getParticipantsByIds(db, orgId, ids)).map((p) => ({ kind, id: p.id, email: p.email, firstName: p.firstName, lastName: p.lastName, fields: p.fields, eventId: p.eventId }));
  }
  if (kind === 'staff') {
    // Only members of the organisation: a staff id from another tenant finds nobody.
    const wanted = new Set(ids);
    const members = (await findMembers(db, orgId)).filter((m) => wanted.has(m.id));
    return members.map((m) => ({ kind, id: m.id, email: m.email, ...splitName(m.name), fields: {}, eventId: null }));
  }
  const contacts: RecipientData[] = [];
  for (const id of ids) {
    try {
      const c = await getContact(db, orgId, id);
      contacts.push({ kind, id: c.id, email: c.email, firstName: c.firstName, lastName: c.lastName, fields: {}, eventId: null });
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'not_found')) throw err;
    }
  }
  return contacts;
}

/**
 * The current data of many recipients, a few queries per batch: merge tags are filled from what
 * the person's record says at send time, not when the message was queued. A recipient deleted
 * since is missing from the map.
 */
export async function loadRecipients(db: Db, keys: RecipientKey[]): Promise<Map<string, RecipientData>> {
  const groups = new Map<string, { orgId: string; kind: RecipientKind; ids: Set<string> }>();
  for (const key of keys) {
    const group = `${key.orgId}:${key.kind}`;
    if (!groups.has(group)) groups.set(group, { orgId: key.orgId, kind: key.kind, ids: new Set() });
    groups.get(group)!.ids.add(key.id);
  }
  const found = new Map<string, RecipientData>();
  for (const { orgId, kind, ids } of groups.values()) {
    for (const data of await loadKind(db, orgId, kind, [...ids])) found.set(recipientKey({ orgId, kind, id: data.id }), data);
  }
  return found;
}
