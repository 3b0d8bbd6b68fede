#!/usr/bin/env bash
# The EventStoreDB suites against a REAL EventStoreDB (npm run test:esdb):
#   - the event-store contract and the adapter's own tests (libs/event-store/src/esdb),
#   - the leader lease (libs/event-store/src/lease),
#   - the end-to-end suites on EventStoreDB (test/esdb-*.e2e-spec.ts): the core ledger over HTTP, and several
#     instances on one database.
# Each of them runs on the wire-level test server too; EVENTSTORE_CONNECTION_STRING adds (or switches to) the real
# database. Streams get unique names per test, so a shared, non-empty database is fine. The handover test spawns the
# built service, hence the build; it uses $KAFKA_BROKERS when set, otherwise a broker of its own.
#
#   EVENTSTORE_CONNECTION_STRING='esdb://127.0.0.1:2113?tls=false' npm run test:esdb [-- extra jest args]
set -euo pipefail
if [ -z "${EVENTSTORE_CONNECTION_STRING:-}" ]; then
  echo "test:esdb: set EVENTSTORE_CONNECTION_STRING, e.g. EVENTSTORE_CONNECTION_STRING='esdb://127.0.0.1:2113?tls=false' npm run test:esdb" >&2
  exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm run build
# In band: the suites share one database, and timing-free but exact counts are easier to read without neighbours.
exec npx jest --runInBand libs/event-store/src/esdb libs/event-store/src/lease 'test/esdb-.*\.e2e-spec\.ts' "$@"
