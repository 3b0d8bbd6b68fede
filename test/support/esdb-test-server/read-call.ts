import * as grpc from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { RecordedRecord } from './event-log';

// The shapes Streams.Read's reads (streams-read.ts) and its subscriptions (streams-subscription.ts) share, in a file
// of their own so that neither imports the other back.

export type Call = grpc.ServerWritableStream<ReadReq, ReadResp>;

export interface EventPredicate {
  (record: RecordedRecord): boolean;
}

export interface CompiledFilter {
  matches: EventPredicate;
  /** Checkpoint every `interval` considered events (multiplier × search window). */
  interval: number;
}
