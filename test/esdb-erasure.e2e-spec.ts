import { startEsdbTestServer } from './support/esdb-test-server';
import { erasureSuite } from './suites/erasure.suite';

// The same erasure on the EventStoreDB adapter over the wire-level test server: the log lives on the server, so the
// data directory holds the views and node state; the export and the views are searched the same way.
erasureSuite(
  'EventStoreDB adapter over the wire',
  async () => {
    const external = process.env.EVENTSTORE_CONNECTION_STRING;
    if (external) return { env: () => ({ EVENTSTORE_CONNECTION_STRING: external }) };
    const server = await startEsdbTestServer();
    return { env: () => ({ EVENTSTORE_CONNECTION_STRING: server.connectionString }), teardown: () => server.stop() };
  },
  { embedded: false },
);
