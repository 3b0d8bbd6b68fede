/**
 * Starts the ESDB test server and prints its connection string.
 *   npx ts-node test/support/esdb-test-server/main.ts [port]      (or ESDB_TEST_SERVER_PORT=2113)
 * Port 0 / absent: a free port. Ctrl-C stops it.
 */
import { startEsdbTestServer } from './esdb-test-server';

async function main(): Promise<void> {
  const raw = process.argv[2] ?? process.env.ESDB_TEST_SERVER_PORT ?? '0';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Invalid port "${raw}"`);
  }
  const server = await startEsdbTestServer({ port, host: process.env.ESDB_TEST_SERVER_HOST });
  process.stdout.write(`${server.connectionString}\n`);
  const shutdown = () => {
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
