import { startEsdbTestServer } from './support/esdb-test-server';
import { scopeOwnersSuite } from './suites/scope-owners.suite';

// The scope-owners suite with the EventStoreDB adapter speaking gRPC to the wire-level test server.
scopeOwnersSuite('EventStoreDB adapter over the wire', async () => {
  const external = process.env.EVENTSTORE_CONNECTION_STRING;
  if (external) return { env: () => ({ EVENTSTORE_CONNECTION_STRING: external }) };
  const server = await startEsdbTestServer();
  return { env: () => ({ EVENTSTORE_CONNECTION_STRING: server.connectionString }), teardown: () => server.stop() };
});
