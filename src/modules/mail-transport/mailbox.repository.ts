import type { Db, MailboxMessagesTable } from '../../db/database.js';
import type { MailboxMessage, MailboxSummary } from './mailbox.types.js';

export function mailboxMessageFromRow(row: MailboxMessagesTable): MailboxMessage {
  return {
    id: row.id,
    messageId: row.message_id,
    mailFrom: row.mail_from,
    rcptTo: row.rcpt_to ? row.rcpt_to.split(', ') : [],
    subject: row.subject,
    headers: row.headers,
    html: row.html,
    text: row.text,
    rawSize: row.raw_size,
    receivedAt: row.received_at,
  };
}

/** The message and one row per distinct recipient, in one transaction. */
export async function insertMailboxMessage(db: Db, row: MailboxMessagesTable, recipientKeys: string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('mailbox_messages').values(row).execute();
    const keys = [...new Set(recipientKeys)];
    if (keys.length > 0) {
      await trx
        .insertInto('mailbox_recipients')
        .values(keys.map((email_key) => ({ mailbox_id: row.id, email_key })))
        .execute();
    }
  });
}

export interface MailboxViewer {
  userId: string;
  /** The viewer's own address, lower-cased: their own mail is always theirs to read. */
  emailKey: string;
}

/**
 * Which messages a staff member may read. The sink holds live credentials (sign-in links, magic
 * links, access codes), so the rule is narrow:
 * - mail addressed to the viewer themself;
 * - mail addressed to a contact of an organisation where the viewer is staff, admin or owner
 *   (scanners only check people in), unless that address is also a staff account: a colleague's
 *   sign-in or password email would otherwise let anyone in the organisation act as them.
 * Until the outbox records which organisation sent a message, a person who is a contact of two
 * organisations has their mail from either visible to both; see `docs/emailing.md`.
 */
function visibleTo(db: Db, viewer: MailboxViewer) {
  return db
    .selectFrom('mailbox_recipients as r')
    .select('r.mailbox_id')
    .where((eb) =>
      eb.or([
        eb('r.email_key', '=', viewer.emailKey),
        eb.and([
          eb.exists(
            eb
              .selectFrom('contacts as c')
              .innerJoin('memberships as m', 'm.org_id', 'c.org_id')
              .select(eb.lit(1).as('one'))
              .whereRef('c.email_key', '=', 'r.email_key')
              .where('m.user_id', '=', viewer.userId)
              .where('m.role', 'in', ['owner', 'admin', 'staff']),
          ),
          eb.not(eb.exists(eb.selectFrom('staff_users as s').select(eb.lit(1).as('one')).whereRef('s.email_key', '=', 'r.email_key'))),
        ]),
      ]),
    );
}

/** Newest first, keyset-paged by id (ids are time-ordered). */
export async function listMailboxMessages(
  db: Db,
  viewer: MailboxViewer,
  options: { before?: string | undefined; limit: number },
): Promise<MailboxSummary[]> {
  let query = db
    .selectFrom('mailbox_messages')
    .select(['id', 'message_id', 'rcpt_to', 'subject', 'received_at'])
    .where('id', 'in', visibleTo(db, viewer))
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.before) query = query.where('id', '<', options.before);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    messageId: row.message_id,
    rcptTo: row.rcpt_to ? row.rcpt_to.split(', ') : [],
    subject: row.subject,
    receivedAt: row.received_at,
  }));
}

/** One message if the viewer may read it; null otherwise, exactly as for a missing one. */
export async function findMailboxMessage(db: Db, viewer: MailboxViewer, id: string): Promise<MailboxMessage | null> {
  const row = await db
    .selectFrom('mailbox_messages')
    .selectAll()
    .where('id', '=', id)
    .where('id', 'in', visibleTo(db, viewer))
    .executeTakeFirst();
  return row ? mailboxMessageFromRow(row) : null;
}
