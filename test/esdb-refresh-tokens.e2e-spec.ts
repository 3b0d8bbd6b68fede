import { startEsdbTestServer } from './support/esdb-test-server';
import { refreshTokensSuite } from './suites/refresh-tokens.suite';

// The refresh-token suite with the EventStoreDB adapter speaking gRPC to the wire-level test server
// (test/support/esdb-test-server). `npm run test:esdb` points it at a real EventStoreDB.
refreshTokensSuite('EventStoreDB adapter over the wire', async () => {
  const external = process.env.EVENTSTORE_CONNECTION_STRING;
  if (external) return { env: () => ({ EVENTSTORE_CONNECTION_STRING: external }) };
  const server = await startEsdbTestServer();
  return { env: () => ({ EVENTSTORE_CONNECTION_STRING: server.connectionString }), teardown: () => server.stop() };
});
