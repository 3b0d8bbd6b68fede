import type { CheckpointStore, StoredEvent } from '../event-store.port';

/**
 * Where a relay delivers: Kafka, a local view database, an SSE response, a Shared Signals receiver. The relay owns
 * the subscription, the checkpoint, restarts and status; a sink only knows how to hand a batch over.
 */
export interface RelaySink {
  /**
   * Hands over one batch, in log order. Resolve only once the receiver has acknowledged all of it: the checkpoint
   * may then pass the batch. Throwing is a failure: the relay restarts from its checkpoint, so the batch comes again
   * (at-least-once; receivers dedupe by event id).
   */
  deliver(batch: StoredEvent[]): Promise<void>;
  /** Before every (re)start, before the checkpoint is read: connect, create what must exist. Throwing is a failure. */
  open?(): Promise<void>;
  /**
   * After a failure (not awaited: the backoff runs meanwhile) and at the end of stop(): drop whatever the failure
   * leaves in doubt, e.g. a producer whose sequence numbers no longer match the broker's.
   */
  close?(): Promise<void>;
}

/** Where a relay keeps its position: the last event its sink acknowledged (or that the filter let it skip). */
export interface RelayCheckpoint {
  /** Read at every (re)start. Undefined: from the start of the log. */
  load(): Promise<number | undefined> | number | undefined;
  /**
   * Absent when the sink stores the position itself, with each batch and atomically with it (the views do, in the
   * same SQLite transaction): then deliver() is the checkpoint, and there is nothing to throttle or save on stop.
   */
  save?(position: number): Promise<void>;
}

/** A checkpoint kept under its own name in the event store's CheckpointStore. A new name starts from the beginning. */
export function namedCheckpoint(checkpoints: CheckpointStore, name: string): RelayCheckpoint {
  return { load: () => checkpoints.load(name), save: (position) => checkpoints.save(name, position) };
}
