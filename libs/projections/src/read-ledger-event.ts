// The reader of stored events moved to libs/domain (upcasting), where the Kafka, SSE and fan-out relays can use it
// too; re-exported here for the views, as-of and the HTTP stack that import it from this lib.
export { readLedgerEvent, UnreadableEventError } from '@ledger/domain';
