import { CheckpointedRelay, namedCheckpoint } from '@ledger/event-store';
import type { CheckpointStore, EventStore } from '@ledger/event-store';
import { KafkaRevocationSink, KafkaRevocationSinkOptions } from './kafka-revocation-sink';

export interface KafkaRevocationPublisherOptions extends KafkaRevocationSinkOptions {
  /** Name of this publisher's checkpoint in the CheckpointStore. A new name republishes the whole history. */
  checkpointName?: string;
  /** Upper bound on events per subscription batch (and so per Kafka send). */
  maxBatchSize?: number;
  /**
   * The checkpoint is written at most this often (and on stop), always at a position the broker acknowledged. A
   * write per batch would cost an fsync per revocation at low rates; a crash re-sends at most this much, which
   * consumers dedupe. Default 250 ms; 0 writes after every batch.
   */
  checkpointIntervalMs?: number;
  /** Backoff cap between restarts after a failure. */
  maxBackoffMs?: number;
  /** How long stop() waits for the batch in flight to be acknowledged before it gives up on it. */
  stopTimeoutMs?: number;
  /** Every failure, with the number of consecutive failures so far. The publisher restarts by itself. */
  onError?: (error: Error, attempt: number) => void;
}

export const DEFAULT_REVOCATIONS_CHECKPOINT = 'kafka-revocations-v1';

export interface RevocationPublisherStatus {
  running: boolean;
  /** false while the producer cannot publish (not connected yet, or failing). */
  healthy: boolean;
  /** The subscription has delivered the history and is live. */
  caughtUp: boolean;
  /**
   * Global position of the last event dealt with: revocations acknowledged by the broker, other events skipped.
   * -1 before any. Head minus this is the lag in events.
   */
  position: number;
  /** recordedAt of that event. */
  lastRecordedAt?: string;
  /** Revocations handed over by the subscription and not acknowledged yet (the batch in flight, or the one that failed). */
  pending: number;
  /** Age of the oldest unacknowledged revocation (now minus its recordedAt); 0 when nothing waits. */
  lagMs: number;
  publishedTotal: number;
  errorsTotal: number;
  /** Failures since the last acknowledged batch; > 0 means publishing is currently failing. */
  consecutiveFailures: number;
  lastError?: string;
}

/**
 * Publishes revocation integration events to Kafka: a CheckpointedRelay (libs/event-store/src/relay) into a
 * KafkaRevocationSink, never the in-process EventBus, so that a failure stops publishing and is seen.
 *
 * At-least-once: the checkpoint, kept in the CheckpointStore under its own name, moves only after the broker
 * acknowledged a batch. Any failure (broker down, topic missing, checkpoint write) stops the subscription; after a
 * backoff the publisher starts again from the checkpoint with a fresh producer, so nothing is lost and a batch may
 * be sent twice. Consumers dedupe by eventId.
 */
export class KafkaRevocationPublisher {
  private readonly sink: KafkaRevocationSink;
  private readonly relay: CheckpointedRelay;

  constructor(store: EventStore, checkpoints: CheckpointStore, options: KafkaRevocationPublisherOptions) {
    this.sink = new KafkaRevocationSink(options);
    this.relay = new CheckpointedRelay(store, namedCheckpoint(checkpoints, options.checkpointName ?? DEFAULT_REVOCATIONS_CHECKPOINT), this.sink, {
      // Unfiltered on purpose: the position then moves over every event (revocations published, the rest skipped),
      // so the events after it are exactly what is left to do (lagBehind), also when no revocation happens.
      maxBatchSize: options.maxBatchSize ?? 500,
      checkpointIntervalMs: options.checkpointIntervalMs ?? 250,
      // Jittered: every instance behind one broker fails at the same moment and must not come back in step.
      restart: { maxMs: options.maxBackoffMs ?? 3000, jitter: true },
      stopTimeoutMs: options.stopTimeoutMs ?? 5000,
      onError: options.onError,
      onAcknowledged: () => this.sink.acknowledged(),
    });
  }

  /** Starts publishing in the background; never throws and never waits for the broker. */
  start(): void {
    this.relay.start();
  }

  /** Resolves when everything the subscription delivered so far is acknowledged and it is live (or after timeoutMs). */
  flush(timeoutMs = 5000): Promise<boolean> {
    return this.relay.flush(timeoutMs);
  }

  /**
   * Flushes what is in flight (bounded by stopTimeoutMs), then stops. Whatever was not acknowledged is published
   * by the next start, from the checkpoint.
   */
  stop(): Promise<void> {
    return this.relay.stop();
  }

  status(): RevocationPublisherStatus {
    const relay = this.relay.status();
    const sink = this.sink.counts();
    return {
      running: relay.running,
      healthy: relay.running && sink.connected && relay.consecutiveFailures === 0,
      caughtUp: relay.caughtUp,
      position: relay.position,
      lastRecordedAt: relay.lastRecordedAt,
      pending: sink.pending,
      lagMs: sink.lagMs,
      publishedTotal: sink.publishedTotal,
      errorsTotal: relay.errorsTotal,
      consecutiveFailures: relay.consecutiveFailures,
      lastError: relay.lastError,
    };
  }

  /** Events in the log after the last one this publisher dealt with, counted (see lagBehind). */
  async lagEvents(maxCount = 10_000): Promise<number> {
    return (await this.relay.lag(maxCount)).events;
  }
}
