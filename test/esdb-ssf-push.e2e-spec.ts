import { startEsdbTestServer } from './support/esdb-test-server';
import { ssfPushSuite } from './suites/ssf-push.suite';

// The Shared Signals push receiver with the EventStoreDB adapter speaking gRPC to the wire-level test server: the
// push worker runs under the ssf-push lease there, and its checkpoints are acknowledgements at byte-offset positions.
ssfPushSuite('EventStoreDB adapter over the wire', async () => {
  const external = process.env.EVENTSTORE_CONNECTION_STRING;
  if (external) return { env: () => ({ EVENTSTORE_CONNECTION_STRING: external }) };
  const server = await startEsdbTestServer();
  return { env: () => ({ EVENTSTORE_CONNECTION_STRING: server.connectionString }), teardown: () => server.stop() };
});
