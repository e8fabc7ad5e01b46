import type { Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { DomainError } from '../../lib/errors.js';
import { audit } from '../audit/index.js';
import { addressStateOf, mergeContactRows, mergedAddress, type Contact } from '../contacts/index.js';
import { endContactSessions } from '../customers/index.js';
import { contactEmailChanged, moveParticipations } from '../participants/index.js';
import { liveContact } from './contact-admin.service.js';
import { moveConnections, moveSponsorContacts, moveSsoIdentities } from './contact-merge.repository.js';

export interface MergeInput {
  parentId: string;
  childId: string;
  /** The parent takes the child's address (and its validation) instead of keeping its own. */
  takeChildEmail: boolean;
}

export interface MergeResult {
  parent: Contact;
  participationsMoved: number;
  participationsDropped: number;
  connectionsMoved: number;
}

/**
 * Merges the child contact into the parent, inside the caller's transaction (all or nothing).
 * Everything the child had moves: participations (one per event kept, see moveParticipations),
 * friends & family connections (deduplicated), structure members, sponsor contacts, SSO
 * identities; the child's shop sessions end; the child stays as a hidden row pointing to its
 * parent. Passwords do not move: a password set on one address says nothing about the other.
 */
export async function mergeContacts(db: Db, ctx: Ctx, actor: Actor, orgId: string, input: MergeInput): Promise<MergeResult> {
  const parent = await liveContact(db, orgId, input.parentId);
  const child = await liveContact(db, orgId, input.childId);
  if (parent.id === child.id) throw new DomainError('validation_failed', 'Choose two different contacts', [{ path: '/childId', message: 'Choose another contact' }]);
  if ((parent.kind === 'structure') !== (child.kind === 'structure')) {
    throw new DomainError('validation_failed', 'A structure merges only with another structure', [{ path: '/childId', message: 'Choose a contact of the same kind' }]);
  }
  const now = ctx.clock.now().toISOString();
  const address = mergedAddress(addressStateOf(parent), addressStateOf(child), input.takeChildEmail, now);
  await mergeContactRows(db, ctx, orgId, parent.id, child.id, address);
  const participations = await moveParticipations(db, ctx, orgId, child.id, parent.id);
  await contactEmailChanged(db, ctx, orgId, parent.id, address.email);
  const connectionsMoved = await moveConnections(db, orgId, child.id, parent.id);
  const sponsorRoles = await moveSponsorContacts(db, child.id, parent.id);
  await moveSsoIdentities(db, child.id, parent.id);
  const sessionsEnded = await endContactSessions(db, child.id);
  await audit(db, ctx, actor, {
    orgId,
    action: 'contact.merged',
    target: { type: 'contact', id: parent.id },
    data: {
      childId: child.id,
      childEmail: child.email,
      childName: [child.firstName, child.lastName].filter(Boolean).join(' '),
      parentEmailBefore: parent.email,
      tookChildEmail: address.key !== parent.email.toLowerCase(),
      emailStatus: address.status,
      emailVerifiedVia: address.via,
      participationsMoved: participations.moved,
      connectionsMoved,
      sponsorRoles,
      sessionsEnded,
    },
  });
  await audit(db, ctx, actor, { orgId, action: 'contact.merged_into', target: { type: 'contact', id: child.id }, data: { parentId: parent.id } });
  for (const dropped of participations.dropped) {
    // Field values as [key, value] pairs: the audit log's secret filter drops object keys that
    // look like secrets ("promo_code"), and none of these may be lost.
    await audit(db, ctx, actor, {
      orgId,
      action: 'contact.merge_participation_dropped',
      target: { type: 'contact', id: parent.id },
      data: { eventId: dropped.eventId, participantId: dropped.participantId, keptParticipantId: dropped.keptParticipantId, status: dropped.status, registeredAt: dropped.registeredAt, fields: Object.entries(dropped.fields), filled: dropped.filled },
    });
  }
  return { parent: await liveContact(db, orgId, parent.id), participationsMoved: participations.moved, participationsDropped: participations.dropped.length, connectionsMoved };
}
