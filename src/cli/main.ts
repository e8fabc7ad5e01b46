#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { ConfigError, loadConfig, serverKeys } from '../config.js';
import { connect } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { systemClock } from '../lib/clock.js';
import { isDomainError } from '../lib/errors.js';
import { cryptoRandom } from '../lib/random.js';
import { rekeyAccessCodes } from '../modules/access-codes/index.js';
import { resealQrSigningKeys } from '../modules/qr-codes/index.js';
import { createOrganisationWithOwner } from '../modules/setup/index.js';

const USAGE = `Usage: tessera <command>

Commands:
  serve                      run the HTTP server (what npm start does)
  migrate                    apply database migrations and exit
  rotate-keys                after a key rotation (new TESSERA_HMAC_KEY / TESSERA_ENCRYPTION_KEY,
                             old ones in ..._PREVIOUS): move stored access codes and QR signing
                             keys to the new keys
  create-admin --org NAME --email EMAIL --name NAME
                             create an organisation and its owner; the password is read
                             from TESSERA_ADMIN_PASSWORD or asked on the terminal
`;

async function readPassword(): Promise<string> {
  const fromEnv = process.env.TESSERA_ADMIN_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) {
    // Piped input: the first line is the password (so it never appears in the process list).
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) return line;
    return '';
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const answer = await rl.question('Password (at least 10 characters): ');
  rl.close();
  return answer;
}

async function createAdmin(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { org: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' } } });
  if (!values.org || !values.email) throw new Error('create-admin needs --org and --email');
  const config = loadConfig();
  const handle = connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(handle.db);
    const password = await readPassword();
    const ctx = { clock: systemClock, random: cryptoRandom, keys: serverKeys(config) };
    const { organisation, owner } = await handle.db.transaction().execute((trx) =>
      createOrganisationWithOwner(trx, ctx, { type: 'cli', id: null, label: 'tessera create-admin', ip: null }, {
        organisationName: values.org!,
        name: values.name ?? values.email!,
        email: values.email!,
        password,
      }),
    );
    process.stdout.write(`Created organisation "${organisation.name}" with owner ${owner.email}.\nSign in at ${new URL('/admin/login', config.publicUrl)}\n`);
  } finally {
    await handle.close();
  }
}

async function rotateKeys(): Promise<void> {
  const config = loadConfig();
  const handle = connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(handle.db);
    const ctx = { clock: systemClock, random: cryptoRandom, keys: serverKeys(config) };
    const report = await rekeyAccessCodes(handle.db, ctx);
    const qr = await resealQrSigningKeys(handle.db, ctx);
    process.stdout.write(
      `QR signing keys sealed again under the current key: ${qr.resealed}.\n` +
        (qr.unreadable ? `QR signing keys no configured key opens (those events' codes can no longer be made): ${qr.unreadable}.\n` : ''),
    );
    process.stdout.write(
      `Access codes moved to the current keys: ${report.rekeyed}.\n` +
        `Codes chosen by attendees or organisers still under an old key (they move at their next sign-in; keep the old TESSERA_HMAC_KEY in TESSERA_HMAC_KEY_PREVIOUS until this is 0): ${report.waitingForOwner}.\n` +
        (report.unreadable ? `Sealed codes no configured key opens (their owners get a set-code link on resend): ${report.unreadable}.\n` : ''),
    );
  } finally {
    await handle.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
    case undefined: {
      const { startServer } = await import('../server.js');
      await startServer();
      return;
    }
    case 'migrate': {
      const config = loadConfig();
      const handle = connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      const applied = await migrateToLatest(handle.db);
      await handle.close();
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n');
      return;
    }
    case 'create-admin':
      await createAdmin(rest);
      return;
    case 'rotate-keys':
      await rotateKeys();
      return;
    default:
      process.stdout.write(USAGE);
      process.exitCode = command === 'help' || command === '--help' ? 0 : 64;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || isDomainError(err) || err instanceof Error) {
    process.stderr.write(`tessera: ${err.message}\n`);
    process.exit(isDomainError(err) || err instanceof ConfigError ? 65 : 1);
  }
  throw err;
});
