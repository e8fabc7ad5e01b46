import type { Db } from '../../db/database.js';

/**
 * Rows of other tables that point at a merged contact. They move with one statement each; the
 * tables have no service of their own for "this contact became that one".
 */

/** Friends & family rows go to the parent, minus duplicates and the parent-child link itself. */
export async function moveConnections(db: Db, orgId: string, childId: string, parentId: string): Promise<number> {
  const rows = await db.selectFrom('contact_connections').selectAll().where('org_id', '=', orgId).where((eb) => eb.or([eb('contact_id', '=', childId), eb('connected_id', '=', childId)])).execute();
  const existing = await db.selectFrom('contact_connections').select(['contact_id', 'connected_id']).where((eb) => eb.or([eb('contact_id', '=', parentId), eb('connected_id', '=', parentId)])).execute();
  const linked = new Set(existing.map((r) => (r.contact_id === parentId ? r.connected_id : r.contact_id)));
  let moved = 0;
  for (const row of rows) {
    const other = row.contact_id === childId ? row.connected_id : row.contact_id;
    if (other === parentId || linked.has(other)) continue;
    linked.add(other);
    const [contactId, connectedId] = row.contact_id === childId ? [parentId, other] : [other, parentId];
    await db.insertInto('contact_connections').values({ ...row, contact_id: contactId, connected_id: connectedId }).execute();
    moved += 1;
  }
  await db.deleteFrom('contact_connections').where((eb) => eb.or([eb('contact_id', '=', childId), eb('connected_id', '=', childId)])).execute();
  return moved;
}

/**
 * Sponsor contacts move to the parent; where the parent already represents that sponsor it keeps
 * its row, made an editor if the child was one (nobody loses a right), and the child's row goes
 * with its sessions. Returns how many rows moved.
 */
export async function moveSponsorContacts(db: Db, childId: string, parentId: string): Promise<number> {
  const rows = await db.selectFrom('sponsor_contacts').selectAll().where('contact_id', '=', childId).execute();
  const parentRows = await db.selectFrom('sponsor_contacts').selectAll().where('contact_id', '=', parentId).execute();
  let moved = 0;
  for (const row of rows) {
    const kept = parentRows.find((p) => p.sponsor_id === row.sponsor_id);
    if (!kept) {
      await db.updateTable('sponsor_contacts').set({ contact_id: parentId }).where('id', '=', row.id).execute();
      moved += 1;
      continue;
    }
    if (row.role === 'editor' && kept.role !== 'editor') await db.updateTable('sponsor_contacts').set({ role: 'editor' }).where('id', '=', kept.id).execute();
    await db.deleteFrom('sponsor_contacts').where('id', '=', row.id).execute();
  }
  return moved;
}

/** The child's SSO identities now sign in as the parent. */
export async function moveSsoIdentities(db: Db, childId: string, parentId: string): Promise<void> {
  await db.updateTable('sso_identities').set({ contact_id: parentId }).where('contact_id', '=', childId).execute();
}
