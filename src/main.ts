import { ConfigError } from './config.js';
import { startServer } from './server.js';

try {
  await startServer();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${err.message}\n`);
    process.exit(78);
  }
  throw err;
}
