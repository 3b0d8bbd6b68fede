import { startEsdbTestServer } from './support/esdb-test-server';
import { coreLedgerSuite } from './suites/core-ledger.suite';

// The same end-to-end suite as core-ledger.e2e-spec.ts, with the EventStoreDB adapter speaking gRPC to the
// wire-level test server (test/support/esdb-test-server). `npm run test:esdb` points it at a real EventStoreDB.
coreLedgerSuite('EventStoreDB adapter over the wire', async () => {
  const external = process.env.EVENTSTORE_CONNECTION_STRING;
  if (external) return { env: () => ({ EVENTSTORE_CONNECTION_STRING: external }) };
  const server = await startEsdbTestServer();
  return { env: () => ({ EVENTSTORE_CONNECTION_STRING: server.connectionString }), teardown: () => server.stop() };
});
