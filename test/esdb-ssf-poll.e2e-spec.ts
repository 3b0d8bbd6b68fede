import { startEsdbTestServer } from './support/esdb-test-server';
import { ssfPollSuite } from './suites/ssf-poll.suite';

// The Shared Signals poll receiver with the EventStoreDB adapter speaking gRPC to the wire-level test server: log
// positions there are byte offsets, so jti, log_position and the acknowledged prefix are checked on them too.
ssfPollSuite('EventStoreDB adapter over the wire', async () => {
  const external = process.env.EVENTSTORE_CONNECTION_STRING;
  if (external) return { env: () => ({ EVENTSTORE_CONNECTION_STRING: external }) };
  const server = await startEsdbTestServer();
  return { env: () => ({ EVENTSTORE_CONNECTION_STRING: server.connectionString }), teardown: () => server.stop() };
});
