import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { canonicalEmail } from './lib/email.js';
import type { ServerKeys } from './lib/keyring.js';

/**
 * Configuration is read from the environment once, here, validated and frozen. Nothing else in
 * Tessera reads process.env. Every variable is documented in the README table.
 */
export interface Secrets {
  /** Signs cookies and CSRF secrets. */
  cookieKey: string;
  /** Keyed hashes (access codes, rate-limit keys). Kept outside the database. */
  hmacKey: string;
  /** AES-256-GCM key for the few values that must be recoverable (generated access codes). */
  encryptionKey: string;
}

/** Secrets being rotated out: they still verify and decrypt, never sign or encrypt. */
export interface PreviousSecrets {
  hmacKeys: readonly string[];
  encryptionKeys: readonly string[];
}

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  publicUrl: URL;
  databaseUrl: string | null;
  smtpUrl: string | null;
  /** Port of the local SMTP sink on loopback; null when SMTP_URL sends through a real relay. */
  smtpSinkPort: number | null;
  /** Sender address of every email; null: noreply@ the public host. */
  mailFrom: string | null;
  /** DKIM signing of outgoing mail, when a key is configured. */
  dkim: DkimConfig | null;
  redisUrl: string | null;
  logLevel: string;
  secrets: Secrets;
  previousSecrets: PreviousSecrets;
  /** Staff sessions: idle and absolute timeouts, in minutes. */
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  importMaxBytes: number;
  trustProxy: boolean;
  /** Client IPs exempt from per-IP rate limits (a load balancer's probe, a load test on loopback). */
  rateLimitAllow: readonly string[];
  /** Email + access code attempts per minute across all clients (a botnet spreads over IPs). */
  codeSignInPerMinute: number;
}

export interface DkimConfig {
  domain: string;
  selector: string;
  /** PEM text of the private key, read once at start-up. */
  privateKey: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (!raw) return null;
  try {
    const parsed = new URL(raw);
    if (!protocols.includes(parsed.protocol)) throw new Error();
  } catch {
    throw new ConfigError(`${name} must be a URL starting with ${protocols.join(' or ')}`);
  }
  return raw;
}

const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const DKIM_SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * DKIM is all or nothing: a domain without a key (or the reverse) would silently send unsigned
 * mail that the operator believes is signed, so a partial setting refuses to start.
 */
function mailFrom(env: Env): string | null {
  const raw = env.TESSERA_MAIL_FROM;
  if (!raw) return null;
  const address = canonicalEmail(raw);
  if (!address) throw new ConfigError('TESSERA_MAIL_FROM must be one email address, such as events@example.org');
  return address.email;
}

function dkim(env: Env): DkimConfig | null {
  const domain = env.TESSERA_DKIM_DOMAIN || '';
  const selector = env.TESSERA_DKIM_SELECTOR || '';
  const file = env.TESSERA_DKIM_PRIVATE_KEY_FILE || '';
  if (!domain && !selector && !file) return null;
  if (!domain || !selector || !file) {
    throw new ConfigError('DKIM needs all of TESSERA_DKIM_DOMAIN, TESSERA_DKIM_SELECTOR and TESSERA_DKIM_PRIVATE_KEY_FILE');
  }
  if (!HOSTNAME.test(domain)) throw new ConfigError(`TESSERA_DKIM_DOMAIN must be a domain name (got "${domain}")`);
  if (!DKIM_SELECTOR.test(selector)) throw new ConfigError(`TESSERA_DKIM_SELECTOR must be a DNS label (got "${selector}")`);
  let privateKey: string;
  try {
    privateKey = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`TESSERA_DKIM_PRIVATE_KEY_FILE cannot be read: ${file}`);
  }
  try {
    const key = createPrivateKey(privateKey);
    // nodemailer signs rsa-sha256 only.
    if (key.asymmetricKeyType !== 'rsa') throw new Error();
  } catch {
    throw new ConfigError('TESSERA_DKIM_PRIVATE_KEY_FILE must hold an RSA private key in PEM format');
  }
  return { domain: domain.toLowerCase(), selector, privateKey };
}

const SECRET_VARS: Record<keyof Secrets, string> = {
  cookieKey: 'TESSERA_COOKIE_KEY',
  hmacKey: 'TESSERA_HMAC_KEY',
  encryptionKey: 'TESSERA_ENCRYPTION_KEY',
};

function validSecret(value: string | undefined): value is string {
  return typeof value === 'string' && Buffer.from(value, 'base64').length >= 32;
}

/**
 * Secrets come from the environment. In development the embedded install generates them once into
 * the data directory (mode 0600) so a fresh machine just works; production refuses to start
 * without them, because a key kept next to the database protects nothing.
 */
function loadSecrets(env: Env, dataDir: string, production: boolean): Secrets {
  const file = join(dataDir, 'secrets.json');
  const fromEnv = Object.fromEntries(Object.entries(SECRET_VARS).map(([k, v]) => [k, env[v]])) as Partial<Secrets>;
  const missing = (Object.keys(SECRET_VARS) as Array<keyof Secrets>).filter((k) => !fromEnv[k]);
  for (const key of Object.keys(SECRET_VARS) as Array<keyof Secrets>) {
    if (fromEnv[key] && !validSecret(fromEnv[key])) {
      throw new ConfigError(`${SECRET_VARS[key]} must be at least 32 random bytes, base64-encoded`);
    }
  }
  if (missing.length === 0) return fromEnv as Secrets;
  if (production) {
    throw new ConfigError(`In production set ${missing.map((k) => SECRET_VARS[k]).join(', ')} (32 random bytes, base64)`);
  }
  let stored: Partial<Secrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>;
  let changed = false;
  for (const key of missing) {
    if (!validSecret(stored[key])) {
      stored[key] = randomBytes(32).toString('base64');
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { ...stored, ...Object.fromEntries(Object.entries(fromEnv).filter(([, v]) => v)) } as Secrets;
}

function previousSecrets(env: Env): PreviousSecrets {
  const list = (name: string) => {
    const values = (env[name] ?? '').split(',').map((v) => v.trim()).filter(Boolean);
    if (!values.every(validSecret)) throw new ConfigError(`${name} must list secrets of at least 32 random bytes, base64-encoded, separated by commas`);
    return Object.freeze(values);
  };
  return Object.freeze({ hmacKeys: list('TESSERA_HMAC_KEY_PREVIOUS'), encryptionKeys: list('TESSERA_ENCRYPTION_KEY_PREVIOUS') });
}

/** The keys modules derive theirs from (lib/keyring.ts), current first. */
export function serverKeys(config: Pick<Config, 'secrets' | 'previousSecrets'>): ServerKeys {
  return Object.freeze({
    hmac: [config.secrets.hmacKey, ...config.previousSecrets.hmacKeys] as const,
    encryption: [config.secrets.encryptionKey, ...config.previousSecrets.encryptionKeys] as const,
  });
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const dataDir = resolve(env.TESSERA_DATA_DIR || './data');
  const publicRaw = env.TESSERA_PUBLIC_URL || `http://localhost:${port}`;
  let publicUrl: URL;
  try {
    publicUrl = new URL(publicRaw);
    if (!['http:', 'https:'].includes(publicUrl.protocol)) throw new Error();
  } catch {
    throw new ConfigError(`TESSERA_PUBLIC_URL must be an http(s) URL (got "${publicRaw}")`);
  }
  if (nodeEnv === 'production' && !env.TESSERA_PUBLIC_URL) {
    throw new ConfigError('In production set TESSERA_PUBLIC_URL: it is the only base for links in emails and pages');
  }
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
  }
  const smtpUrl = url(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  const config: Config = {
    env: nodeEnv,
    port,
    host,
    dataDir,
    publicUrl,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    smtpUrl,
    smtpSinkPort: smtpUrl ? null : int(env, 'TESSERA_SMTP_SINK_PORT', 2525, 0, 65535),
    mailFrom: mailFrom(env),
    dkim: dkim(env),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    logLevel,
    secrets: loadSecrets(env, dataDir, nodeEnv === 'production'),
    previousSecrets: previousSecrets(env),
    sessionIdleMinutes: int(env, 'TESSERA_SESSION_IDLE_MINUTES', 60, 1, 7 * 24 * 60),
    sessionAbsoluteHours: int(env, 'TESSERA_SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
    importMaxBytes: int(env, 'TESSERA_IMPORT_MAX_MB', 50, 1, 1024) * 1024 * 1024,
    trustProxy: env.TESSERA_TRUST_PROXY === 'true',
    codeSignInPerMinute: int(env, 'TESSERA_CODE_SIGNIN_PER_MINUTE', 12_000, 10, 100_000_000),
    rateLimitAllow: Object.freeze((env.TESSERA_RATE_LIMIT_ALLOW ?? '').split(',').map((ip) => ip.trim()).filter(Boolean)),
  };
  return Object.freeze(config);
}
