import { startEsdbTestServer } from './support/esdb-test-server';
import { dependentRaceSuite } from './suites/dependent-race.suite';

// The exchange-against-revocation race with the EventStoreDB adapter speaking gRPC to the wire-level test server: the
// expected revisions that decide it are the adapter's, not SQLite's. `npm run test:esdb` points it at a real one.
dependentRaceSuite(
  'EventStoreDB adapter over the wire',
  async () => {
    const external = process.env.EVENTSTORE_CONNECTION_STRING;
    if (external) return { env: () => ({ EVENTSTORE_CONNECTION_STRING: external }) };
    const server = await startEsdbTestServer();
    return { env: () => ({ EVENTSTORE_CONNECTION_STRING: server.connectionString }), teardown: () => server.stop() };
  },
  200,
);
