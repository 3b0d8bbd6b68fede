import 'reflect-metadata';
import { createLedgerApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/ledger-config';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const app = await createLedgerApp(config);
  await app.listen(config.port, config.host);
  const store = config.eventStoreConnectionString ? 'EventStoreDB' : `SQLite in ${config.dataDir}`;
  process.stdout.write(JSON.stringify({ level: 'log', msg: `consent ledger listening on http://${config.host}:${config.port} (${store})` }) + '\n');
}

main().catch((error) => {
  process.stderr.write(`consent ledger failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
