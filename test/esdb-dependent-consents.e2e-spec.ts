import { startEsdbTestServer } from './support/esdb-test-server';
import { dependentConsentsSuite } from './suites/dependent-consents.suite';

// Dependent consents with the EventStoreDB adapter speaking gRPC to the wire-level test server.
dependentConsentsSuite('EventStoreDB adapter over the wire', async () => {
  const external = process.env.EVENTSTORE_CONNECTION_STRING;
  if (external) return { env: () => ({ EVENTSTORE_CONNECTION_STRING: external }) };
  const server = await startEsdbTestServer();
  return { env: () => ({ EVENTSTORE_CONNECTION_STRING: server.connectionString }), teardown: () => server.stop() };
});
