import { SqliteAdapter, sql, type ExpressionBuilder } from 'kysely';
import type { Database, Db, MailboxMessagesTable } from '../../db/database.js';
import { mailboxBodies } from './mailbox-body.js';
import type { MailboxMessage, MailboxSummary } from './mailbox.types.js';

export async function mailboxMessageFromRow(row: MailboxMessagesTable): Promise<MailboxMessage> {
  const { html, text } = await mailboxBodies(row);
  return {
    id: row.id,
    messageId: row.message_id,
    mailFrom: row.mail_from,
    rcptTo: row.rcpt_to ? row.rcpt_to.split(', ') : [],
    subject: row.subject,
    headers: row.headers,
    html,
    text,
    rawSize: row.raw_size,
    receivedAt: row.received_at,
  };
}

export interface NewMailboxMessage {
  row: MailboxMessagesTable;
  /** Lower-cased envelope recipients. */
  recipientKeys: string[];
}

/** Messages and one row per distinct recipient of each, in one transaction (the sink's batches). */
export async function insertMailboxMessages(db: Db, messages: NewMailboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const recipients = messages.flatMap(({ row, recipientKeys }) => [...new Set(recipientKeys)].map((email_key) => ({ mailbox_id: row.id, email_key })));
  await db.transaction().execute(async (trx) => {
    // The sender waits for this commit before its next message. On PostgreSQL, waiting for the WAL
    // flush as well made it ~10 ms a batch and the sink 150 messages/s; without it, a crash of the
    // Tessera process still loses nothing, only one of the PostgreSQL server could lose the last
    // few milliseconds of this development mailbox.
    if (!(trx.getExecutor().adapter instanceof SqliteAdapter)) await sql`set local synchronous_commit = off`.execute(trx);
    await trx.insertInto('mailbox_messages').values(messages.map((message) => message.row)).execute();
    // A message may name thousands of recipients; 500 rows keep a statement under both dialects' limits.
    for (let i = 0; i < recipients.length; i += 500) {
      await trx.insertInto('mailbox_recipients').values(recipients.slice(i, i + 500)).execute();
    }
  });
}

export interface MailboxViewer {
  userId: string;
  /** The viewer's own address, lower-cased: their own mail is always theirs to read. */
  emailKey: string;
}

const READER_ROLES = ['owner', 'admin', 'staff'] as const;

/**
 * The outbox row a message came from. The worker's Message-ID is `<outbox id@public host>`
 * (jobs/outbox-delivery.ts, messageIdOf) and outbox ids are 26 characters, so the row is found
 * through its primary key; substr() reads the same on SQLite and PostgreSQL.
 */
function outboxRowOf(eb: ExpressionBuilder<Database & { m: MailboxMessagesTable }, 'm'>) {
  return eb
    .selectFrom('outbox as o')
    .whereRef('o.id', '=', sql<string>`substr(${eb.ref('m.message_id')}, 2, 26)`)
    .where(sql<string>`substr(${eb.ref('m.message_id')}, 28, 1)`, '=', '@');
}

/**
 * Which messages a staff member may read. The sink holds live credentials (sign-in links, magic
 * links, access codes), so the rule is narrow:
 * - mail addressed to the viewer themself, always;
 * - mail the outbox sent for an organisation where the viewer is staff, admin or owner (scanners
 *   only check people in), unless it went to a staff account: a colleague's sign-in or password
 *   email would otherwise let anyone in the organisation act as them;
 * - mail that no outbox row explains (sent by other means) when it is addressed to a contact of
 *   such an organisation who is not a staff account. Such a message says nothing about who sent
 *   it, so a person who is a contact of two organisations has it visible to both.
 */
function visible(viewer: MailboxViewer) {
  return (eb: ExpressionBuilder<Database & { m: MailboxMessagesTable }, 'm'>) => {
    const recipients = () => eb.selectFrom('mailbox_recipients as r').whereRef('r.mailbox_id', '=', 'm.id');
    const readers = () =>
      eb.selectFrom('memberships as ms').select(eb.lit(1).as('one')).where('ms.user_id', '=', viewer.userId).where('ms.role', 'in', READER_ROLES);
    return eb.or([
      eb.exists(recipients().select(eb.lit(1).as('one')).where('r.email_key', '=', viewer.emailKey)),
      eb.exists(
        outboxRowOf(eb)
          .select(eb.lit(1).as('one'))
          .where('o.recipient_kind', '<>', 'staff')
          .where((inner) => inner.exists(readers().whereRef('ms.org_id', '=', inner.ref('o.org_id')))),
      ),
      eb.and([
        eb.not(eb.exists(outboxRowOf(eb).select(eb.lit(1).as('one')))),
        eb.exists(
          recipients()
            .innerJoin('contacts as c', 'c.email_key', 'r.email_key')
            .select(eb.lit(1).as('one'))
            .where((inner) =>
              inner.and([
                inner.exists(readers().whereRef('ms.org_id', '=', inner.ref('c.org_id'))),
                inner.not(inner.exists(inner.selectFrom('staff_users as s').select(inner.lit(1).as('one')).whereRef('s.email_key', '=', 'r.email_key'))),
              ]),
            ),
        ),
      ]),
    ]);
  };
}

/** Newest first, keyset-paged by id (ids are time-ordered). */
export async function listMailboxMessages(
  db: Db,
  viewer: MailboxViewer,
  options: { before?: string | undefined; limit: number },
): Promise<MailboxSummary[]> {
  let query = db
    .selectFrom('mailbox_messages as m')
    .select(['m.id', 'm.message_id', 'm.rcpt_to', 'm.subject', 'm.received_at'])
    .where(visible(viewer))
    .orderBy('m.id', 'desc')
    .limit(options.limit);
  if (options.before) query = query.where('m.id', '<', options.before);
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
    .selectFrom('mailbox_messages as m')
    .selectAll('m')
    .where('m.id', '=', id)
    .where(visible(viewer))
    .executeTakeFirst();
  return row ? await mailboxMessageFromRow(row) : null;
}
