import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { audit, listAuditEntries, type AuditEntry } from '../audit/index.js';
import { contactFromRow, type Contact } from '../contacts/index.js';
import { liveContact } from './contact-admin.service.js';
import {
  connectionExists,
  deleteConnection,
  findConnections,
  findContactsByIds,
  findMembersOfStructure,
  findMergedInto,
  findParticipations,
  insertConnection,
  type ParticipationRow,
} from './contact-admin.repository.js';

export interface Connection {
  contact: Contact;
  since: string;
}

export interface ContactDetail {
  contact: Contact;
  structure: Contact | null;
  /** A structure's relays and B2B individuals. */
  members: Contact[];
  participations: ParticipationRow[];
  connections: Connection[];
  /** Contacts merged into this one (their history shows here too). */
  mergedChildren: Contact[];
  history: AuditEntry[];
}

export async function contactDetail(db: Db, orgId: string, contact: Contact): Promise<ContactDetail> {
  const [structureRow, memberRows, participations, links, childIds] = await Promise.all([
    contact.structureId ? findContactsByIds(db, orgId, [contact.structureId]) : Promise.resolve([]),
    contact.kind === 'structure' ? findMembersOfStructure(db, orgId, contact.id) : Promise.resolve([]),
    findParticipations(db, orgId, contact.id),
    findConnections(db, orgId, contact.id),
    findMergedInto(db, orgId, contact.id),
  ]);
  const otherIds = links.map((l) => (l.contact_id === contact.id ? l.connected_id : l.contact_id));
  const [others, children] = await Promise.all([findContactsByIds(db, orgId, otherIds), findContactsByIds(db, orgId, childIds)]);
  const byId = new Map(others.map((row) => [row.id, contactFromRow(row)]));
  const connections = links.flatMap((l) => {
    const other = byId.get(l.contact_id === contact.id ? l.connected_id : l.contact_id);
    return other && !other.mergedInto ? [{ contact: other, since: l.created_at }] : [];
  });
  // The history of every contact merged into this one belongs to this person now.
  const histories = await Promise.all([contact.id, ...childIds].map((id) => listAuditEntries(db, { orgId, targetType: 'contact', targetId: id, limit: 100 })));
  const history = histories.flat().sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, 200);
  return {
    contact,
    structure: structureRow[0] ? contactFromRow(structureRow[0]) : null,
    members: memberRows.map(contactFromRow),
    participations,
    connections,
    mergedChildren: children.map(contactFromRow),
    history,
  };
}

/**
 * Friends & family: connects two contacts of the organisation. An unvalidated address never
 * blocks it; the page warns and offers to send a validation email. Returns the connected contact.
 */
export async function connectContacts(db: Db, ctx: Ctx, actor: Actor, orgId: string, contactId: string, connectedId: string): Promise<Contact> {
  const contact = await liveContact(db, orgId, contactId);
  const connected = await liveContact(db, orgId, connectedId);
  if (contact.id === connected.id) throw new DomainError('validation_failed', 'A contact cannot be connected to itself', [{ path: '/connectedId', message: 'Choose another contact' }]);
  if (await connectionExists(db, contact.id, connected.id)) throw new DomainError('conflict', 'These contacts are already connected');
  await insertConnection(db, { org_id: orgId, contact_id: contact.id, connected_id: connected.id, created_at: ctx.clock.now().toISOString() });
  await audit(db, ctx, actor, { orgId, action: 'contact.connected', target: { type: 'contact', id: contact.id }, data: { connectedId: connected.id, relation: 'friends_family', connectedValidated: connected.emailStatus === 'verified' } });
  return connected;
}

export async function disconnectContacts(db: Db, ctx: Ctx, actor: Actor, orgId: string, contactId: string, connectedId: string): Promise<void> {
  const contact = await liveContact(db, orgId, contactId);
  if ((await deleteConnection(db, orgId, contact.id, connectedId)) === 0) throw new DomainError('not_found', 'Connection not found');
  await audit(db, ctx, actor, { orgId, action: 'contact.disconnected', target: { type: 'contact', id: contact.id }, data: { connectedId } });
}
