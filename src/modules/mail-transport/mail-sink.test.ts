import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { createMailTransport, SINK_MAX_MESSAGE_BYTES, startMailSink, type MailSink, type MailTransport } from './index.js';

describe('local mail sink', () => {
  let t: TestApp;
  let sink: MailSink;
  let transport: MailTransport;
  before(async () => {
    t = await createTestApp();
    sink = await startMailSink({ db: t.db, ctx: t.ctx, port: 0 });
    transport = createMailTransport(t.config, { sinkPort: sink.port });
  });
  after(async () => {
    await transport.close();
    await sink.close();
    await t.close();
  });

  test('it keeps the envelope, the parsed bodies and the raw headers of what it receives', async () => {
    const result = await transport.send({
      from: 'Acme <noreply@tessera.test>',
      to: { email: 'Zoé@Example.org', name: 'Zoé Ünïcode' },
      subject: 'Bienvenue à Summit ✓',
      html: '<p>Bonjour Zoé</p><img src="cid:logo">',
      text: 'Bonjour Zoé',
      messageId: '<sink-1@tessera.test>',
    });
    assert.equal(result.ok, true);
    assert.match(result.ok ? result.response : '', /^250 Stored as [0-9a-z]{26}$/);
    const row = await t.db.selectFrom('mailbox_messages').selectAll().where('message_id', '=', '<sink-1@tessera.test>').executeTakeFirstOrThrow();
    assert.equal(row.mail_from, 'noreply@tessera.test');
    assert.equal(row.rcpt_to, 'Zoé@example.org');
    assert.equal(row.subject, 'Bienvenue à Summit ✓');
    assert.equal(row.text?.trim(), 'Bonjour Zoé');
    assert.match(row.html ?? '', /<p>Bonjour Zoé<\/p>/);
    assert.match(row.headers, /^From: Acme <noreply@tessera\.test>$/m);
    assert.ok(row.raw_size > 200);
    assert.equal(row.received_at, t.clock.now().toISOString());
    const keys = await t.db.selectFrom('mailbox_recipients').select('email_key').where('mailbox_id', '=', row.id).execute();
    assert.deepEqual(keys, [{ email_key: 'zoé@example.org' }]);
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
