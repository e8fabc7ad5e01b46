import type { CredentialPurpose, CredentialsTable, Db } from '../../db/database.js';

/** One credential row with where it came from: the email (campaign, template) or the staff preview. */
export type LinkRow = Omit<CredentialsTable, 'token_hash' | 'org_id' | 'event_id' | 'subject_type' | 'subject_id' | 'issued_by' | 'test'> & {
  campaign_id: string | null;
  campaign_name: string | null;
  template_name: string | null;
  issued_by_name: string | null;
};

/**
 * A participant's personal links still worth showing (live, or dead since `since`), newest
 * first, each joined to the message it was minted for. One query for the participant page: the
 * outbox row names the campaign and template, the staff row names who previewed.
 */
export async function findParticipantLinks(db: Db, orgId: string, eventId: string, participantId: string, since: string, limit: number): Promise<LinkRow[]> {
  const rows = await db
    .selectFrom('credentials as c')
    .leftJoin('outbox as o', 'o.id', 'c.outbox_id')
    .leftJoin('campaigns as k', 'k.id', 'o.campaign_id')
    .leftJoin('email_templates as tpl', 'tpl.id', 'o.template_id')
    .leftJoin('staff_users as s', 's.id', 'c.issued_by')
    .select([
      'c.id',
      'c.purpose',
      'c.email',
      'c.data',
      'c.single_use',
      'c.created_at',
      'c.expires_at',
      'c.use_count',
      'c.last_used_at',
      'c.consumed_at',
      'c.revoked_at',
      'c.revoked_reason',
      'c.fetch_count',
      'c.last_fetched_at',
      'c.last_fetch_agent',
      'c.outbox_id',
      'o.campaign_id',
      'k.name as campaign_name',
      'tpl.name as template_name',
      's.name as issued_by_name',
    ])
    .where('c.org_id', '=', orgId)
    .where('c.event_id', '=', eventId)
    .where('c.subject_type', '=', 'participant')
    .where('c.subject_id', '=', participantId)
    // Send-test credentials open nothing: they are not keys to this participant.
    .where('c.test', '=', 0)
    .where((eb) =>
      eb.or([
        eb.and([eb('c.revoked_at', 'is', null), eb('c.consumed_at', 'is', null), eb('c.expires_at', '>', since)]),
        eb('c.revoked_at', '>', since),
        eb('c.consumed_at', '>', since),
      ]),
    )
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, use_count: Number(row.use_count), fetch_count: Number(row.fetch_count) }));
}

/** Live (usable) personal links of an event, by purpose. */
export async function countLiveLinksByPurpose(db: Db, orgId: string, eventId: string, now: string): Promise<Array<{ purpose: CredentialPurpose; count: number }>> {
  const rows = await db
    .selectFrom('credentials')
    .select(['purpose', (eb) => eb.fn.countAll<number>().as('count')])
    .where('org_id', '=', orgId)
    .where('event_id', '=', eventId)
    .where('revoked_at', 'is', null)
    .where('consumed_at', 'is', null)
    .where('test', '=', 0)
    .where('expires_at', '>', now)
    .groupBy('purpose')
    .execute();
  return rows.map((row) => ({ purpose: row.purpose, count: Number(row.count) }));
}
