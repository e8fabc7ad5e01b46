import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { SMTPServerOptions } from 'smtp-server';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ConfigError, loadConfig } from '../../config.js';
import { headerLines, smtpReply, startScriptedSmtp } from '../../../test/helpers/smtp-server.js';
import { createMailTransport, createThreadedMailTransport, type MailTransport, type MailTransportSettings, type OutgoingMail } from './index.js';
import { prepareMail } from './outgoing-mail.js';

let sequence = 0;
function mail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  sequence += 1;
  return {
    from: 'Acme Events <noreply@tessera.test>',
    to: { email: 'ada@example.org', name: 'Ada Lovelace' },
    subject: 'Your access',
    html: '<p>Hello Ada</p>',
    text: 'Hello Ada',
    messageId: `<msg-${sequence}@tessera.test>`,
    ...overrides,
  };
}

function settings(smtpUrl: string, dkim: MailTransportSettings['dkim'] = null): MailTransportSettings {
  return { smtpUrl, smtpSinkPort: null, dkim, publicUrl: new URL('https://tessera.test') };
}

const transports: MailTransport[] = [];
function transportTo(url: string): MailTransport {
  const transport = createMailTransport(settings(url));
  transports.push(transport);
  return transport;
}
after(async () => {
  for (const transport of transports) await transport.close();
});

/** A relay that defers busy@ mailboxes (451) and refuses gone@ ones (550). */
const busyOrGone: NonNullable<SMTPServerOptions['onRcptTo']> = (address, _session, callback) => {
  if (address.address.startsWith('busy')) return callback(smtpReply(451, '4.3.0 Mailbox busy, try again later'));
  if (address.address.startsWith('gone')) return callback(smtpReply(550, '5.1.1 No such user here'));
  callback();
};

describe('SMTP transport: failures', () => {
  test("a 4xx answer is reported as temporary, a 5xx as permanent with the server's reason", async () => {
    const server = await startScriptedSmtp({
      onRcptTo: busyOrGone,
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          const to = session.envelope.rcptTo[0]?.address ?? '';
          if (to.startsWith('full')) return callback(smtpReply(452, '4.2.2 Mailbox full'));
          if (to.startsWith('spam')) return callback(smtpReply(554, '5.7.1 Message refused as spam'));
          callback(null, 'OK');
        });
      },
    });
    try {
      const transport = transportTo(server.url);
      const send = (email: string) => transport.send(mail({ to: { email } }));
      const [busy, gone, full, spam, fine] = await Promise.all(
        ['busy@example.org', 'gone@example.org', 'full@example.org', 'spam@example.org', 'fine@example.org'].map(send),
      );
      assert.deepEqual(busy, { ok: false, kind: 'temporary', reason: '451 4.3.0 Mailbox busy, try again later' });
      assert.deepEqual(gone, { ok: false, kind: 'permanent', reason: '550 5.1.1 No such user here' });
      assert.deepEqual(full, { ok: false, kind: 'temporary', reason: '452 4.2.2 Mailbox full' });
      assert.deepEqual(spam, { ok: false, kind: 'permanent', reason: '554 5.7.1 Message refused as spam' });
      assert.deepEqual(fine, { ok: true, response: '250 OK' });
    } finally {
      await server.close();
    }
  });

  test('a dropped connection is temporary', async () => {
    let attempts = 0;
    const server = await startScriptedSmtp({
      onData(stream, session) {
        // The relay dies in the middle of DATA, after the first bytes of the message arrived.
        stream.once('data', () => {
          attempts += 1;
          server.dropConnection(session);
        });
      },
    });
    try {
      const result = await transportTo(server.url).send(mail());
      assert.equal(result.ok, false);
      assert.equal(result.ok === false && result.kind, 'temporary');
      assert.equal(attempts, 1, 'reported at once: the outbox, not the pool, decides when to try again');
      assert.equal(server.received.length, 0);
    } finally {
      await server.close();
    }
  });

  test('a refused connection (nothing listening) is temporary', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const result = await transportTo(`smtp://127.0.0.1:${port}`).send(mail());
    assert.equal(result.ok === false && result.kind, 'temporary');
    assert.match(result.ok === false ? result.reason : '', /ECONNREFUSED|connect/i);
  });

  test('an address or header the message cannot carry is permanent and nothing is sent', async () => {
    const server = await startScriptedSmtp();
    try {
      const transport = transportTo(server.url);
      const refused = [
        mail({ to: { email: 'ada@example.org, eve@evil.example' } }),
        mail({ to: { email: 'ada@example.org\r\nRCPT TO:<eve@evil.example>' } }),
        mail({ from: 'a@tessera.test, eve@evil.example' }),
        mail({ headers: { Bcc: 'eve@evil.example' } }),
        mail({ headers: { 'X-Bad Name': 'x' } }),
        mail({ headers: { 'Reply-To': 'help@tessera.test, eve@evil.example' } }),
        mail({ headers: { 'Reply-To': 'Help\r\nBcc: eve@evil.example <help@tessera.test>' } }),
        mail({ messageId: 'no-at-sign' }),
      ];
      for (const message of refused) {
        const result = await transport.send(message);
        assert.equal(result.ok === false && result.kind, 'permanent', JSON.stringify(message.to) + JSON.stringify(message.headers));
      }
      assert.equal(server.received.length, 0);
    } finally {
      await server.close();
    }
  });
});

describe('SMTP transport: what reaches the relay', () => {
  test('CR/LF in the recipient name or subject adds no header and no recipient', async () => {
    const server = await startScriptedSmtp();
    try {
      const result = await transportTo(server.url).send(
        mail({
          to: { email: 'ada@example.org', name: 'Ada\r\nBcc: eve@evil.example\r\nX-Injected: name' },
          from: '"Acme\r\nCc: eve@evil.example" <noreply@tessera.test>',
          subject: 'Hello\r\nBcc: mallory@evil.example\nX-Injected: subject\r\n\r\n<b>body?</b>',
          headers: { 'X-Campaign': 'c1\r\nBcc: trent@evil.example', 'Reply-To': '"Help\r\nBcc: x@evil.example" <help@tessera.test>' },
        }),
      );
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(server.received.length, 1);
      const captured = server.received[0]!;
      assert.deepEqual(captured.rcptTo, ['ada@example.org'], 'one envelope recipient');
      assert.equal(captured.mailFrom, 'noreply@tessera.test');
      const names = headerLines(captured.raw).map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
      assert.ok(!names.includes('bcc') && !names.includes('cc') && !names.includes('x-injected'), names.join(', '));
      for (const name of ['to', 'from', 'subject', 'reply-to', 'x-campaign', 'message-id']) {
        assert.equal(names.filter((n) => n === name).length, 1, `exactly one ${name} header`);
      }
      const parsed = await simpleParser(captured.raw);
      assert.deepEqual(
        parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((v) => v.address) : [],
        ['ada@example.org'],
      );
      assert.equal(parsed.cc, undefined);
      assert.equal(parsed.bcc, undefined);
      assert.equal(parsed.text?.trim(), 'Hello Ada', 'the body is the one given, not the subject tail');
      assert.match(parsed.subject ?? '', /^Hello Bcc: mallory@evil\.example X-Injected: subject <b>body\?<\/b>$/);
    } finally {
      await server.close();
    }
  });

  test("what reaches the relay reads back as nodemailer's own composer would have written it", async () => {
    // The transport composes the message itself (mime-message.ts) and nodemailer only sends it:
    // names, subjects and bodies that need encoding must arrive exactly as through nodemailer.
    const server = await startScriptedSmtp();
    const messages: OutgoingMail[] = [
      mail({ from: '"Acmé, Inc." <noreply@tessera.test>', to: { email: 'Zoé@Example.org', name: 'Zoé Ünïcode' }, subject: 'Bienvenue à Summit ✓ avec un sujet assez long pour être replié', html: '<p>Bonjour Zoé</p>\n.\nFrom here  \n', text: 'Bonjour Zoé\r\n.\r\ntrailing   \n' }),
      mail({ to: { email: 'li@example.org', name: '李小龍 "Bruce"' }, subject: '日本語の件名です。とても長い件名がここに入ります', html: '<p>日本語の本文です。</p>'.repeat(40), text: '日本語' }),
      mail({ to: { email: 'pat@example.org', name: "O'Brien, Pat (x) <y>" }, subject: '', html: `<p>${'x'.repeat(1200)}</p>`, text: '', headers: { 'Reply-To': 'Help Desk <help@tessera.test>', 'List-Unsubscribe': `<https://tessera.test/u/${'a'.repeat(60)}>, <mailto:unsubscribe@tessera.test>`, 'X-Note': 'héllo wörld' } }),
      mail({ subject: 'Emoji 😀', html: '', text: 'only text 😀 '.repeat(30) }),
    ];
    try {
      const transport = transportTo(server.url);
      for (const message of messages) assert.equal((await transport.send(message)).ok, true);
      for (const [i, message] of messages.entries()) {
        const date = new Date();
        const options = prepareMail(message);
        const reference = await new MailComposer({ ...options, date }).compile().build();
        const [got, want] = await Promise.all([simpleParser(server.received[i]!.raw), simpleParser(reference)]);
        for (const key of ['subject', 'text', 'html', 'messageId'] as const) assert.equal(got[key], want[key], `${key} of message ${i}`);
        for (const key of ['from', 'to', 'replyTo'] as const) assert.deepEqual(JSON.stringify(got[key]), JSON.stringify(want[key]), `${key} of message ${i}`);
        const others = (parsed: ParsedMail) => [...parsed.headers].filter(([name]) => !['content-type', 'date', 'content-transfer-encoding'].includes(name)).sort();
        assert.deepEqual(JSON.stringify(others(got)), JSON.stringify(others(want)), `headers of message ${i}`);
        const raw = server.received[i]!.raw.toString();
        assert.ok(raw.split('\r\n').every((line) => line.length <= 998), 'no line over 998 characters');
        // Bodies go out 7bit only when their lines are short; encoded ones are wrapped at 76.
        assert.ok(raw.slice(raw.indexOf('\r\n\r\n')).split('\r\n').every((line) => line.length <= 76), 'body lines of at most 76 characters');
      }
    } finally {
      await server.close();
    }
  });

  test('an inline image travels next to the HTML (multipart/related) and reads back as nodemailer writes it', async () => {
    const server = await startScriptedSmtp();
    const png = Buffer.from(`\x89PNG\r\n\x1a\n${'pixels '.repeat(200)}`, 'latin1');
    const inline = [{ cid: 'qr-1@tessera.test', contentType: 'image/png' as const, filename: 'qr-code.png', content: png }];
    const withImage = mail({ html: '<p>Your code</p><img src="cid:qr-1@tessera.test" alt="QR code">', text: 'Your code: TQ1:ABC', inline });
    const htmlOnly = mail({ html: '<img src="cid:qr-1@tessera.test">', text: '', inline });
    try {
      const transport = transportTo(server.url);
      for (const message of [withImage, htmlOnly]) assert.equal((await transport.send(message)).ok, true);
      for (const [i, message] of [withImage, htmlOnly].entries()) {
        const { inline: images, ...options } = prepareMail(message);
        const attachments = images.map((image) => ({ ...image, content: Buffer.from(image.content) }));
        const reference = await new MailComposer({ ...options, attachments, date: new Date() }).compile().build();
        const [got, want] = await Promise.all([simpleParser(server.received[i]!.raw), simpleParser(reference)]);
        for (const key of ['subject', 'text', 'html'] as const) assert.equal(got[key], want[key], `${key} of message ${i}`);
        assert.equal(got.attachments.length, 1);
        const [image] = got.attachments;
        assert.equal(image!.contentId, '<qr-1@tessera.test>');
        assert.equal(image!.contentDisposition, 'inline');
        assert.equal(image!.contentType, 'image/png');
        assert.ok(image!.content.equals(png), 'the image bytes arrive unchanged');
      }
      const raw = server.received[0]!.raw.toString();
      assert.match(raw, /Content-Type: multipart\/alternative;[\s\S]*text\/plain[\s\S]*multipart\/related; type="text\/html";[\s\S]*text\/html[\s\S]*image\/png/);
      assert.ok(raw.split('\r\n').every((line) => line.length <= 76 || !/^[A-Za-z0-9+/=]+$/.test(line)), 'base64 lines wrapped at 76');
    } finally {
      await server.close();
    }
  });

  test('inline images with ids, names or types that could break the message are refused', () => {
    const image = { cid: 'qr@tessera.test', contentType: 'image/png' as const, filename: 'qr.png', content: Buffer.from('x') };
    const bad = [
      { ...image, cid: 'qr@tessera.test>\r\nBcc: eve@evil.example' },
      { ...image, filename: 'qr.png\r\nContent-Type: text/html' },
      { ...image, filename: '"a b".png' },
      { ...image, contentType: 'text/html' as unknown as 'image/png' },
      { ...image, content: Buffer.alloc(1_000_001) },
    ];
    for (const inline of bad) assert.throws(() => prepareMail(mail({ inline: [inline] })), { name: 'MailInputError' });
    assert.throws(() => prepareMail(mail({ inline: [image, image] })), { name: 'MailInputError' }, 'duplicate content id');
  });

  test('the Message-ID is passed through and the credentials in SMTP_URL authenticate', async () => {
    const logins: Array<{ username: string | undefined; password: string | null | undefined }> = [];
    const server = await startScriptedSmtp({
      disabledCommands: ['STARTTLS'],
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push({ username: auth.username, password: auth.password });
        if (auth.username === 'mailer@tessera.test' && auth.password === 'p@ss:w/rd') return callback(null, { user: 'mailer' });
        callback(smtpReply(535, '5.7.8 Authentication failed'));
      },
    });
    try {
      const transport = transportTo(`smtp://mailer%40tessera.test:p%40ss%3Aw%2Frd@127.0.0.1:${server.port}`);
      const result = await transport.send(mail({ messageId: '<outbox-01abc.7@tessera.test>' }));
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.deepEqual(logins[0], { username: 'mailer@tessera.test', password: 'p@ss:w/rd' });
      assert.ok(headerLines(server.received[0]!.raw).includes('Message-ID: <outbox-01abc.7@tessera.test>'));

      // A wrong password is the relay refusing us, not the recipient: retried, never "failed".
      const wrong = await transportTo(`smtp://mailer%40tessera.test:nope@127.0.0.1:${server.port}`).send(mail());
      assert.equal(wrong.ok === false && wrong.kind, 'temporary');
    } finally {
      await server.close();
    }
  });

  test('a relay offering STARTTLS with an untrusted certificate gets nothing in clear text', async () => {
    // smtp-server offers STARTTLS with its built-in self-signed certificate.
    const server = await startScriptedSmtp({ disabledCommands: ['AUTH'] });
    try {
      const result = await transportTo(server.url).send(mail());
      assert.equal(result.ok === false && result.kind, 'temporary');
      assert.match(result.ok === false ? result.reason : '', /certificate/i);
      assert.equal(server.received.length, 0);
    } finally {
      await server.close();
    }
  });
});

/** Relaxed canonicalisation (RFC 6376 3.4.2, 3.4.4), enough to check our own signatures. */
function relaxedHeader(line: string): string {
  const colon = line.indexOf(':');
  return `${line.slice(0, colon).trim().toLowerCase()}:${line.slice(colon + 1).replace(/[ \t]+/g, ' ').trim()}`;
}
function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
}

describe('SMTP transport: DKIM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-dkim-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(dir, 'dkim.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const env = { NODE_ENV: 'test', TESSERA_DATA_DIR: dir, LOG_LEVEL: 'silent' };

  test('a configured key signs every message for the configured domain and selector', async () => {
    const server = await startScriptedSmtp();
    try {
      const config = loadConfig({ ...env, SMTP_URL: server.url, TESSERA_DKIM_DOMAIN: 'tessera.test', TESSERA_DKIM_SELECTOR: 'mail2026', TESSERA_DKIM_PRIVATE_KEY_FILE: keyFile });
      const transport = createMailTransport(config);
      transports.push(transport);
      assert.equal((await transport.send(mail())).ok, true);
      const raw = server.received[0]!.raw.toString();
      const lines = headerLines(raw);
      const signature = lines.find((line) => line.startsWith('DKIM-Signature:'));
      assert.ok(signature, 'signed');
      const tags = Object.fromEntries(signature.slice('DKIM-Signature:'.length).split(';').map((tag) => {
        const [name, ...value] = tag.trim().split('=');
        return [name, value.join('=').replace(/\s+/g, '')];
      }));
      assert.equal(tags.d, 'tessera.test');
      assert.equal(tags.s, 'mail2026');
      assert.equal(tags.a, 'rsa-sha256');
      const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      assert.equal(tags.bh, createHash('sha256').update(relaxedBody(body)).digest('base64'), 'body hash');
      const signed = String(tags.h).split(':').map((name) => relaxedHeader(lines.find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`)) ?? `${name}:`));
      const unsigned = relaxedHeader(signature.replace(/b=[^;]*$/, 'b='));
      const verifier = createVerify('RSA-SHA256').update([...signed, unsigned].join('\r\n'));
      assert.ok(verifier.verify(publicKey, Buffer.from(String(tags.b), 'base64')), 'the signature verifies with the public key');
    } finally {
      await server.close();
    }
  });

  test('DKIM settings are all or nothing, and the key must be an RSA private key', () => {
    assert.throws(() => loadConfig({ ...env, TESSERA_DKIM_DOMAIN: 'tessera.test' }), /TESSERA_DKIM_SELECTOR/);
    const base = { ...env, TESSERA_DKIM_DOMAIN: 'tessera.test', TESSERA_DKIM_SELECTOR: 'mail' };
    assert.throws(() => loadConfig({ ...base, TESSERA_DKIM_PRIVATE_KEY_FILE: join(dir, 'missing.pem') }), /cannot be read/);
    const publicFile = join(dir, 'public.pem');
    writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
    assert.throws(() => loadConfig({ ...base, TESSERA_DKIM_PRIVATE_KEY_FILE: publicFile }), ConfigError);
    assert.throws(() => loadConfig({ ...base, TESSERA_DKIM_DOMAIN: 'not a domain', TESSERA_DKIM_PRIVATE_KEY_FILE: keyFile }), /TESSERA_DKIM_DOMAIN/);
    assert.equal(loadConfig(env).dkim, null);
    assert.equal(loadConfig(env).smtpSinkPort, 2525, 'no SMTP_URL: the local sink, on 2525 by default');
    assert.equal(loadConfig({ ...env, SMTP_URL: 'smtps://relay.example:465' }).smtpSinkPort, null, 'a relay: no sink');
    assert.throws(() => loadConfig({ ...env, TESSERA_SMTP_SINK_PORT: '70000' }), /TESSERA_SMTP_SINK_PORT/);
  });
});

describe('SMTP transport on its own thread (what npm start uses)', () => {
  test('it delivers the same message and sorts failures the same way as the in-process transport', async () => {
    const server = await startScriptedSmtp({
      onRcptTo: busyOrGone,
    });
    const threaded = createThreadedMailTransport(settings(server.url));
    try {
      // The inline image crosses to the thread as a plain Uint8Array, not a Buffer.
      const png = Buffer.from('an image');
      const inline = [{ cid: 'qr@tessera.test', contentType: 'image/png' as const, filename: 'qr.png', content: png }];
      const message = mail({ to: { email: 'zoe@example.org', name: 'Zoé Ünïcode' }, subject: 'Bienvenue à Summit ✓', headers: { 'X-Campaign': 'c1' }, inline });
      const [fine, busy, gone, invalid] = await Promise.all([
        threaded.send(message),
        threaded.send(mail({ to: { email: 'busy@example.org' } })),
        threaded.send(mail({ to: { email: 'gone@example.org' } })),
        threaded.send(mail({ to: { email: 'not an address' } })),
      ]);
      assert.equal(fine.ok, true, JSON.stringify(fine));
      assert.deepEqual(busy, { ok: false, kind: 'temporary', reason: '451 4.3.0 Mailbox busy, try again later' });
      assert.deepEqual(gone, { ok: false, kind: 'permanent', reason: '550 5.1.1 No such user here' });
      assert.deepEqual(invalid, { ok: false, kind: 'permanent', reason: 'Invalid recipient address' });
      assert.equal(server.received.length, 1);
      const parsed = await simpleParser(server.received[0]!.raw);
      assert.equal(parsed.subject, 'Bienvenue à Summit ✓');
      assert.equal(parsed.text?.trim(), 'Hello Ada');
      assert.equal(parsed.headers.get('x-campaign'), 'c1');
      assert.ok(parsed.attachments[0]?.content.equals(png));
      assert.deepEqual(server.received[0]!.rcptTo, ['zoe@example.org']);
    } finally {
      await threaded.close();
      await server.close();
    }
  });

  test('messages still held by the thread when it stops are reported temporary, and the next send starts a new one', async () => {
    // The relay never answers the first message: that send stays in the thread until it stops.
    let stalled: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (stalled = resolve));
    let first = true;
    const server = await startScriptedSmtp({
      onData(stream, _session, callback) {
        const stall = first;
        first = false;
        stream.resume();
        stream.on('end', () => (stall ? stalled() : callback(null, 'Captured')));
      },
    });
    const threaded = createThreadedMailTransport(settings(server.url));
    try {
      const held = threaded.send(mail({ subject: 'Held' }));
      await arrived;
      await threaded.close();
      const result = await held;
      assert.equal(result.ok === false && result.kind, 'temporary', JSON.stringify(result));
      const next = await threaded.send(mail({ subject: 'After the restart' }));
      assert.equal(next.ok, true, JSON.stringify(next));
    } finally {
      await threaded.close();
      await server.close();
    }
  });
});
