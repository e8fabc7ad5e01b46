import { createRequire } from 'node:module';
import type * as Nodemailer from 'nodemailer';
import type { NodemailerError, SendMailOptions, SMTPPoolOptions, Transporter } from 'nodemailer';
import type { MailTransport, OutgoingMail, SendResult } from './mail-transport.types.js';
import { MailInputError, mailOptionsOf } from './outgoing-mail.js';

/** What the transport needs from the configuration (a structural subset of `Config`). */
export interface MailTransportSettings {
  /** smtp:// (STARTTLS when offered) or smtps://, credentials in the URL; null: the local sink. */
  smtpUrl: string | null;
  smtpSinkPort: number | null;
  dkim: { domain: string; selector: string; privateKey: string } | null;
  /** Its host names us in EHLO: a relay expects a fully qualified name, not the machine's. */
  publicUrl: URL;
}

export interface MailTransportOptions {
  /** The sink's actual port when it was started on port 0 (tests, benchmarks). */
  sinkPort?: number;
  maxConnections?: number;
}

// nodemailer's default list (RFC 4871 5.4) plus List-Unsubscribe-Post: RFC 8058 one-click
// unsubscribe counts only when the signature covers both List-Unsubscribe headers.
const DKIM_HEADERS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version', 'Content-Type',
  'Content-Transfer-Encoding', 'Content-ID', 'Content-Description', 'Resent-Date', 'Resent-From', 'Resent-Sender',
  'Resent-To', 'Resent-Cc', 'Resent-Message-ID', 'In-Reply-To', 'References', 'List-Id', 'List-Help',
  'List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Subscribe', 'List-Post', 'List-Owner', 'List-Archive',
].join(':');

// A worker that waits ten minutes (nodemailer's default) on a silent relay holds its claimed rows
// that long; a minute is ample for one message, and the outbox retries what times out.
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 };

function connectionOptions(settings: MailTransportSettings, options: MailTransportOptions): SMTPPoolOptions {
  if (!settings.smtpUrl) {
    const port = options.sinkPort ?? settings.smtpSinkPort;
    if (port === null || port === undefined || port === 0) throw new Error('The local mail sink has no port: pass the port it listens on');
    // The sink is on loopback and offers no TLS; a message never leaves the machine.
    return { host: '127.0.0.1', port, secure: false, ignoreTLS: true, maxMessages: Infinity };
  }
  const url = new URL(settings.smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    // Without smtps, nodemailer upgrades with STARTTLS whenever the relay offers it and verifies
    // the certificate; a relay that offers nothing gets plain SMTP, as SMTP_URL asked for.
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    // Relays often cap messages per connection; nodemailer's 100 stays below the usual caps.
    maxMessages: 100,
  };
}

/**
 * The worker only decides between "retry later" and "give up", so every failure is sorted here.
 * An SMTP reply settles it by its class (5xx permanent, except 503 which is a session-state
 * error); without a reply, a connection that failed or dropped is temporary, a message that
 * could not be built is permanent. Authentication failures are temporary on purpose: they say
 * the relay refuses *us*, and marking a whole campaign failed for a wrong password would lose it.
 */
export function classifySmtpError(err: unknown): SendResult {
  const error = (err ?? {}) as NodemailerError;
  const reason = (error.response || error.message || String(err)).trim().slice(0, 1000);
  if (error.code === 'EAUTH' || error.code === 'ENOAUTH' || error.code === 'EOAUTH2') {
    return { ok: false, kind: 'temporary', reason };
  }
  if (typeof error.responseCode === 'number') {
    const permanent = error.responseCode >= 500 && error.responseCode < 600 && error.responseCode !== 503;
    return { ok: false, kind: permanent ? 'permanent' : 'temporary', reason };
  }
  const buildErrors = ['EENVELOPE', 'EMESSAGE', 'ESTREAM', 'EMAXRECIPIENTS', 'EFILEACCESS', 'EURLACCESS', 'EREQUIRETLS'];
  if (error.code && buildErrors.includes(error.code)) return { ok: false, kind: 'permanent', reason };
  // ECONNECTION, ETIMEDOUT, ESOCKET (ECONNREFUSED, ECONNRESET), EDNS, ETLS and anything unknown:
  // retrying costs little, and a lost message is worse than a late one.
  return { ok: false, kind: 'temporary', reason };
}

/**
 * A pooled nodemailer SMTP transport: a few long-lived connections shared by every send, to
 * SMTP_URL's relay or to the local sink. DKIM-signs when a key is configured.
 */
export function createMailTransport(settings: MailTransportSettings, options: MailTransportOptions = {}): MailTransport {
  // nodemailer (~13 MB resident) is loaded and connected at the first message, not at start-up.
  let transporter: Transporter | null = null;
  const connect = (): Transporter => (transporter ??= createTransporter(settings, options));
  return {
    async send(message: OutgoingMail): Promise<SendResult> {
      let mail: SendMailOptions;
      try {
        mail = mailOptionsOf(message);
      } catch (err) {
        if (err instanceof MailInputError) return { ok: false, kind: 'permanent', reason: err.message };
        throw err;
      }
      try {
        const info = await connect().sendMail(mail);
        return { ok: true, response: String(info.response ?? '') };
      } catch (err) {
        return classifySmtpError(err);
      }
    },
    async close(): Promise<void> {
      transporter?.close();
    },
  };
}

function createTransporter(settings: MailTransportSettings, options: MailTransportOptions): Transporter {
  const nodemailer = createRequire(import.meta.url)('nodemailer') as typeof Nodemailer;
  return nodemailer.createTransport({
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    // A message whose pooled connection the relay closes cleanly before it was sent (an idle
    // timeout racing our send) gets one more try on a fresh connection; a broken connection is
    // reported at once, and the outbox's back-off decides.
    maxRequeues: 1,
    name: settings.publicUrl.hostname,
    logger: false,
    disableFileAccess: true,
    disableUrlAccess: true,
    ...TIMEOUTS,
    ...connectionOptions(settings, options),
    ...(settings.dkim
      ? { dkim: { domainName: settings.dkim.domain, keySelector: settings.dkim.selector, privateKey: settings.dkim.privateKey, headerFieldNames: DKIM_HEADERS } }
      : {}),
  });
}
