import { Kafka, KafkaConfig, logLevel, Producer } from 'kafkajs';
import { backoffDelay, lagBehind } from '@ledger/event-store';
import type { CheckpointStore, EventStore, StoredEvent, Subscription } from '@ledger/event-store';
import { DEFAULT_CLOUDEVENTS_SOURCE, toKafkaRecord, toRevocationEvent } from './revocation-event';

export interface KafkaRevocationPublisherOptions {
  brokers: string[];
  topic: string;
  clientId: string;
  /** CloudEvents `source`. */
  source?: string;
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
  /** Overrides for the kafkajs client (ssl, sasl, timeouts). logLevel defaults to NOTHING: failures go to onError. */
  kafka?: Partial<KafkaConfig>;
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
 * Publishes revocation integration events to Kafka from a checkpointed event-store subscription, never from the
 * in-process EventBus: a failure here must stop publishing and be seen, not vanish in an event handler.
 *
 * At-least-once: each subscription batch is sent with an idempotent producer (acks=-1, one request in flight) and
 * the checkpoint, kept in the CheckpointStore under its own name, moves only after the broker acknowledged the
 * batch. Any failure (broker down, topic missing, checkpoint write) stops the subscription; after a backoff the
 * publisher starts again from the checkpoint with a fresh producer, so nothing is lost and a batch may be sent
 * twice. Consumers dedupe by eventId. The key is the user id, so one user's revocations keep their order.
 */
export class KafkaRevocationPublisher {
  private readonly kafka: Kafka;
  private readonly checkpointName: string;
  private readonly source: string;
  private producer?: Producer;
  private subscription?: Subscription;
  private restartTimer?: NodeJS.Timeout;
  private running = false;
  private topicReady = false;
  private caughtUp = false;
  private connected = false;
  private position = -1;
  private lastRecordedAt?: string;
  private savedPosition = -1;
  private lastSaveMs = 0;
  private saveTimer?: NodeJS.Timeout;
  private pending = 0;
  private oldestPendingAt?: number;
  private publishedTotal = 0;
  private errorsTotal = 0;
  private failures = 0;
  private lastError?: Error;
  /** Bumped on every (re)start, so that callbacks of an abandoned attempt do nothing. */
  private attempt = 0;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly options: KafkaRevocationPublisherOptions,
  ) {
    this.checkpointName = options.checkpointName ?? DEFAULT_REVOCATIONS_CHECKPOINT;
    this.source = options.source ?? DEFAULT_CLOUDEVENTS_SOURCE;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      // Bounded: a broker that stays away ends in a failure (seen, counted, restarted from the checkpoint) instead of
      // a send that retries for minutes with nobody knowing.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
      ...options.kafka,
    });
  }

  /** Starts publishing in the background; never throws and never waits for the broker. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connectAndSubscribe(++this.attempt);
  }

  private async connectAndSubscribe(attempt: number): Promise<void> {
    try {
      if (!this.producer) {
        const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
        this.producer = producer;
        await producer.connect();
      }
      this.connected = true;
      if (!this.topicReady) await this.ensureTopic();
      const checkpoint = await this.checkpoints.load(this.checkpointName);
      if (attempt !== this.attempt || !this.running) return;
      this.position = checkpoint ?? -1;
      this.savedPosition = this.position;
      this.caughtUp = false;
      // Unfiltered on purpose: the position then moves over every event (revocations published, the rest skipped),
      // so the events after it are exactly what is left to do (lagBehind), also when no revocation happens.
      this.subscription = this.store.subscribeToAll(
        { after: checkpoint, maxBatchSize: this.options.maxBatchSize ?? 500 },
        {
          onEvents: (events) => this.publish(events, attempt),
          onCaughtUp: () => {
            this.caughtUp = true;
            this.notifyIdle();
          },
          onError: (error) => this.fail(error, attempt),
        },
      );
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)), attempt);
    }
  }

  private async ensureTopic(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.options.topic)) {
        try {
          // Partition count and replication factor: the broker's defaults (num.partitions, default.replication.factor).
          await admin.createTopics({ topics: [{ topic: this.options.topic }], waitForLeaders: true });
        } catch (error) {
          // Another ledger instance created it in between.
          if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
        }
      }
      this.topicReady = true;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async publish(events: StoredEvent[], attempt: number): Promise<void> {
    if (attempt !== this.attempt) throw new Error('Publisher restarted; abandoning this subscription');
    const messages = [];
    for (const event of events) {
      const integration = toRevocationEvent(event);
      if (integration) {
        if (messages.length === 0) this.oldestPendingAt ??= Date.parse(event.recordedAt);
        messages.push(toKafkaRecord(integration, this.source));
      }
    }
    const last = events[events.length - 1];
    if (messages.length > 0) {
      this.pending = messages.length;
      const producer = this.producer;
      if (!producer) throw new Error('Kafka producer is not connected');
      await producer.send({ topic: this.options.topic, acks: -1, messages });
    }
    // Only now, with the broker's acknowledgement, may the checkpoint reach this batch: a crash before it is saved
    // republishes the batch, never skips it.
    await this.checkpointAcknowledged(last.position, attempt);
    this.position = last.position;
    this.lastRecordedAt = last.recordedAt;
    this.publishedTotal += messages.length;
    this.pending = 0;
    this.oldestPendingAt = undefined;
    this.failures = 0;
    this.lastError = undefined;
    this.notifyIdle();
  }

  private async checkpointAcknowledged(position: number, attempt: number): Promise<void> {
    const interval = this.options.checkpointIntervalMs ?? 250;
    if (Date.now() - this.lastSaveMs >= interval) {
      await this.saveCheckpoint(position);
      return;
    }
    // Saved a moment ago: the latest acknowledged position is saved when the interval is over (or on stop).
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      if (attempt !== this.attempt || this.position <= this.savedPosition) return;
      this.saveCheckpoint(this.position).catch((error: Error) => this.fail(error, attempt));
    }, interval - (Date.now() - this.lastSaveMs));
    this.saveTimer.unref();
  }

  private async saveCheckpoint(position: number): Promise<void> {
    this.lastSaveMs = Date.now();
    await this.checkpoints.save(this.checkpointName, position);
    this.savedPosition = Math.max(this.savedPosition, position);
  }

  private fail(error: Error, attempt: number): void {
    if (attempt !== this.attempt) return;
    this.errorsTotal += 1;
    this.failures += 1;
    this.lastError = error;
    this.caughtUp = false;
    this.connected = false;
    this.options.onError?.(error, this.failures);
    const subscription = this.subscription;
    this.subscription = undefined;
    void subscription?.stop().catch(() => undefined);
    // After a failed send the idempotent producer's sequence numbers are in doubt: start over with a new one.
    const producer = this.producer;
    this.producer = undefined;
    void producer?.disconnect().catch(() => undefined);
    if (!this.running) return;
    const delay = backoffDelay(this.failures, { maxMs: this.options.maxBackoffMs ?? 3000, jitter: true });
    const next = ++this.attempt;
    this.restartTimer = setTimeout(() => void (this.running && this.connectAndSubscribe(next)), delay);
  }

  /** Resolves when everything the subscription delivered so far is acknowledged and it is live (or after timeoutMs). */
  async flush(timeoutMs = 5000): Promise<boolean> {
    // Let an append that just resolved reach the subscription before judging it idle.
    await new Promise((resolve) => setImmediate(resolve));
    const isIdle = () => this.caughtUp && this.pending === 0 && this.failures === 0;
    if (isIdle()) return true;
    return new Promise<boolean>((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.idle.delete(check);
        resolve(value);
      };
      const check = () => isIdle() && done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idle.add(check);
    });
  }

  private notifyIdle(): void {
    for (const check of [...this.idle]) check();
  }

  /**
   * Flushes what is in flight (bounded by stopTimeoutMs), then stops. Whatever was not acknowledged is published
   * by the next start, from the checkpoint.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    // While failing, a flush cannot succeed: what is unacknowledged stays behind the checkpoint for the next start.
    if (this.failures === 0) await this.flush(this.options.stopTimeoutMs ?? 5000);
    this.running = false;
    this.attempt += 1;
    clearTimeout(this.restartTimer);
    const subscription = this.subscription;
    this.subscription = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      subscription?.stop(),
      new Promise((resolve) => (timer = setTimeout(resolve, this.options.stopTimeoutMs ?? 5000))),
    ]).finally(() => clearTimeout(timer));
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    // this.position is only ever an acknowledged (or skipped) position, also right after a failure.
    if (this.position > this.savedPosition) await this.saveCheckpoint(this.position).catch(() => undefined);
    const producer = this.producer;
    this.producer = undefined;
    this.connected = false;
    await producer?.disconnect().catch(() => undefined);
  }

  status(): RevocationPublisherStatus {
    return {
      running: this.running,
      healthy: this.running && this.connected && this.failures === 0,
      caughtUp: this.caughtUp,
      position: this.position,
      lastRecordedAt: this.lastRecordedAt,
      pending: this.pending,
      lagMs: this.oldestPendingAt === undefined ? 0 : Math.max(0, Date.now() - this.oldestPendingAt),
      publishedTotal: this.publishedTotal,
      errorsTotal: this.errorsTotal,
      consecutiveFailures: this.failures,
      lastError: this.lastError?.message,
    };
  }

  /** Events in the log not dealt with yet. */
  /** Events in the log after the last one this publisher dealt with, counted (see lagBehind). */
  async lagEvents(maxCount = 10_000): Promise<number> {
    return (await lagBehind(this.store, this.position, { maxCount })).events;
  }
}
