import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { sql } from 'kysely';
import { createMailTransport, findMailboxMessage, SINK_MAX_MESSAGE_BYTES, startMailSink, type MailSink, type MailTransport } from './index.js';

describe('local mail sink', () => {
  let t: TestApp;
  let sink: MailSink;
  let transport: MailTransport;
  before(async () => {
    t = await createTestApp();
    sink = await startMailSink({ db: t.db, ctx: t.ctx, port: 0, onError: () => {} });
    transport = createMailTransport(t.config, { sinkPort: sink.port });
  });
  after(async () => {
    await transport.close();
    await sink.close();
    await t.close();
  });

  test('it keeps the envelope, the raw message and its headers, and the bodies read back parsed', async () => {
    const result = await transport.send({
      from: 'Acme <noreply@tessera.test>',
      to: { email: 'Zoé@Example.org', name: 'Zoé Ünïcode' },
      subject: 'Bienvenue à Summit ✓ avec un sujet assez long pour être replié sur deux lignes encodées',
      html: '<p>Bonjour Zoé, <a href="https://tessera.test/e/summit">ouvrir</a></p><img src="cid:logo">',
      text: 'Bonjour Zoé',
      messageId: '<sink-1@tessera.test>',
    });
    assert.equal(result.ok, true);
    assert.match(result.ok ? result.response : '', /^250 Stored as [0-9a-z]{26}$/);
    const row = await t.db.selectFrom('mailbox_messages').selectAll().where('message_id', '=', '<sink-1@tessera.test>').executeTakeFirstOrThrow();
    assert.equal(row.mail_from, 'noreply@tessera.test');
    assert.equal(row.rcpt_to, 'Zoé@example.org');
    assert.equal(row.subject, 'Bienvenue à Summit ✓ avec un sujet assez long pour être replié sur deux lignes encodées', 'encoded words decoded');
    assert.match(row.headers, /^From: Acme <noreply@tessera\.test>$/m);
    assert.ok(row.raw && row.raw.length === row.raw_size && row.raw_size > 200, 'the message as received');
    assert.ok(row.raw.toString('utf8').startsWith(row.headers));
    assert.equal(row.received_at, t.clock.now().toISOString());
    const keys = await t.db.selectFrom('mailbox_recipients').select('email_key').where('mailbox_id', '=', row.id).execute();
    assert.deepEqual(keys, [{ email_key: 'zoé@example.org' }]);
    const opened = await findMailboxMessage(t.db, { userId: 'nobody', emailKey: 'zoé@example.org' }, row.id);
    assert.equal(opened?.text?.trim(), 'Bonjour Zoé');
    assert.match(opened?.html ?? '', /<p>Bonjour Zoé, <a href="https:\/\/tessera\.test\/e\/summit">ouvrir<\/a><\/p>/);
  });

  test('messages sent at once are each answered only once they are committed', async () => {
    const subjects = Array.from({ length: 20 }, (_, i) => `Batch ${i}`);
    // Each answer is checked on arrival: the row must already be readable from the database.
    const found = await Promise.all(
      subjects.map(async (subject, i) => {
        const sent = await transport.send({ from: 'noreply@tessera.test', to: { email: `batch${i}@example.org` }, subject, html: '<p>x</p>', text: 'x', messageId: `<batch-${i}@tessera.test>` });
        assert.equal(sent.ok, true);
        const row = await t.db.selectFrom('mailbox_messages').select('subject').where('message_id', '=', `<batch-${i}@tessera.test>`).executeTakeFirst();
        return row?.subject;
      }),
    );
    assert.deepEqual(found, subjects);
  });

  test('when the batch cannot be committed, every sender in it is told to retry (451) and none of it is kept', async () => {
    // The recipients insert fails inside the batch's transaction, after its messages were written.
    await sql`alter table mailbox_recipients rename to mailbox_recipients_away`.execute(t.db);
    try {
      const results = await Promise.all(
        [1, 2, 3].map((i) => transport.send({ from: 'noreply@tessera.test', to: { email: `lost${i}@example.org` }, subject: `Lost ${i}`, html: '<p>x</p>', text: 'x', messageId: `<lost-${i}@tessera.test>` })),
      );
      for (const result of results) {
        assert.equal(result.ok === false && result.kind, 'temporary');
        assert.match(result.ok === false ? result.reason : '', /^451 /);
      }
    } finally {
      await sql`alter table mailbox_recipients_away rename to mailbox_recipients`.execute(t.db);
    }
    const kept = await t.db.selectFrom('mailbox_messages').select('id').where('subject', 'like', 'Lost %').execute();
    assert.deepEqual(kept, []);
  });

  test('a message over the size limit is refused for good and not stored', async () => {
    const before = await t.db.selectFrom('mailbox_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const big = 'x'.repeat(SINK_MAX_MESSAGE_BYTES);
    const result = await transport.send({ from: 'noreply@tessera.test', to: { email: 'big@example.org' }, subject: 'Big', html: `<p>${big}</p>`, text: big, messageId: '<big@tessera.test>' });
    assert.equal(result.ok === false && result.kind, 'permanent');
    assert.match(result.ok === false ? result.reason : '', /^552 /);
    const afterwards = await t.db.selectFrom('mailbox_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterwards.n), Number(before.n));
  });

  test('it refuses to listen anywhere but loopback', async () => {
    await assert.rejects(startMailSink({ db: t.db, ctx: t.ctx, port: 0, host: '0.0.0.0' }), /loopback/);
  });
});
