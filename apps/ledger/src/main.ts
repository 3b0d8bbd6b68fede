import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createLedgerApp } from './bootstrap';
import { DataDirLockedError } from '@ledger/event-store';
import { ConfigError, loadConfig } from './config/ledger-config';

/** Exit codes besides 0 (clean shutdown) and 1 (failure): documented in the README. */
const EXIT_CONFIG = 2;
const EXIT_DATA_DIR_IN_USE = 4;

async function main() {
  let config;
  try {
    config = loadConfig();
    // The configuration holds only hashes of the callers' secrets; the plain list leaves the process here too. The
    // token key stays in the configuration only, where it does not print (TokenKey).
    delete process.env.LEDGER_API_KEYS;
    delete process.env.LEDGER_TOKEN_KEY;
    delete process.env.LEDGER_SUBJECT_KEK;
    delete process.env.LEDGER_SUBJECT_KEK_PREVIOUS;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  const app = await createLedgerApp(config);
  // Graceful shutdown waits for in-flight requests; a request (or stream) that never ends must not keep the process.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`consent ledger: shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting\n`);
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
    });
  }
  await app.listen(config.port, config.host);
  const store = config.eventStoreConnectionString ? 'EventStoreDB' : `SQLite in ${config.dataDir}`;
  new Logger('Main').log(`consent ledger listening on http://${config.host}:${config.port} (${store})`);
}

main().catch((error) => {
  if (error instanceof DataDirLockedError) {
    process.stderr.write(`consent ledger cannot start: ${error.message}\n`);
    process.exit(EXIT_DATA_DIR_IN_USE);
  }
  process.stderr.write(`consent ledger failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
