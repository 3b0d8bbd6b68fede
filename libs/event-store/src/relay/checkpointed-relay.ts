import { Backoff, backoffDelay } from '../backoff';
import type { EventFilter, EventStore, StoredEvent, Subscription } from '../event-store.port';
import { Lag, lagBehind } from '../lag';
import type { RelayCheckpoint, RelaySink } from './relay.port';

export interface CheckpointedRelayOptions {
  /**
   * Server-side filter. Without one the position moves over every event (the sink skips what it does not want), so
   * the events after it are exactly what is left to do, also when nothing the sink wants happens (see lag()).
   */
  filter?: EventFilter;
  /** Upper bound on events per batch handed to the sink. Default: the store's. */
  maxBatchSize?: number;
  /**
   * The checkpoint is written at most this often (and on stop), always at a position the sink acknowledged. A write
   * per batch would cost an fsync per event at low rates; a crash delivers at most this much again, which receivers
   * dedupe. Default 250 ms; 0 writes after every batch. Moot when the checkpoint has no save().
   */
  checkpointIntervalMs?: number;
  /**
   * After a failure: start again from the checkpoint after this backoff (its attempt is the consecutive failures).
   * false: stop and report instead, for a relay whose checkpoint lives with its receiver (an SSE client reconnects
   * with Last-Event-ID and resumes exactly where it stopped).
   */
  restart: Backoff | false;
  /**
   * Set: stop() first waits up to this long for what was handed over to be acknowledged, then as long again for the
   * batch in flight, and gives up on it (it stays behind the checkpoint). Unset: no flush, and stop() waits for the
   * batch in flight however long it takes, which suits a sink that cannot hang (a local database).
   */
  stopTimeoutMs?: number;
  /** Every failure, with the consecutive failures so far. Failures are never swallowed; restarts happen by themselves. */
  onError?(error: Error, consecutiveFailures: number): void;
  /** At every (re)start, once the history is delivered and the subscription is live. Throwing is a failure. */
  onCaughtUp?(): void;
  /** A batch was acknowledged and the position moved past it (its checkpoint may be written later, see above). */
  onAcknowledged?(batch: StoredEvent[]): void;
}

export interface RelayStatus {
  running: boolean;
  /** The subscription has delivered the history and is live. */
  caughtUp: boolean;
  /** Global position of the last event acknowledged (or skipped by the filter); -1 before any. */
  position: number;
  /** recordedAt of that event. */
  lastRecordedAt?: string;
  /** Events handed to the sink and not acknowledged yet: the batch in flight, or the one that failed. */
  inFlight: number;
  deliveredTotal: number;
  errorsTotal: number;
  /** Failures since the last acknowledged batch; > 0 means delivering is currently failing. */
  consecutiveFailures: number;
  lastError?: string;
}

/**
 * The one way this codebase moves events out of the log: the views, Kafka, the SSE feed and Shared Signals
 * deliveries each are a sink behind a relay. Driven by a checkpointed event-store subscription, never by the
 * in-process EventBus, so that a failure stops delivery and is seen instead of vanishing in an event handler.
 *
 * At-least-once: the checkpoint moves only after the sink acknowledged a batch. Any failure (the sink throws, the
 * store fails, a checkpoint write fails) stops the subscription; after a backoff the relay starts again from the
 * checkpoint, so nothing is lost and a batch may be delivered twice.
 */
export class CheckpointedRelay {
  private subscription?: Subscription;
  private restartTimer?: NodeJS.Timeout;
  private saveTimer?: NodeJS.Timeout;
  private running = false;
  private caughtUp = false;
  private position = -1;
  private lastRecordedAt?: string;
  private savedPosition = -1;
  private lastSaveMs = 0;
  private inFlight = 0;
  private deliveredTotal = 0;
  private errorsTotal = 0;
  private failures = 0;
  private lastError?: Error;
  /** Bumped on every (re)start and on stop, so that callbacks of an abandoned attempt do nothing. */
  private attempt = 0;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly store: EventStore,
    private readonly checkpoint: RelayCheckpoint,
    private readonly sink: RelaySink,
    private readonly options: CheckpointedRelayOptions,
  ) {}

  /** Starts in the background; never throws and never waits for the sink. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.open(++this.attempt);
  }

  private async open(attempt: number): Promise<void> {
    try {
      await this.sink.open?.();
      const checkpoint = await this.checkpoint.load();
      if (attempt !== this.attempt || !this.running) return;
      this.position = checkpoint ?? -1;
      this.savedPosition = this.position;
      this.caughtUp = false;
      this.subscription = this.store.subscribeToAll(
        { after: checkpoint, filter: this.options.filter, maxBatchSize: this.options.maxBatchSize },
        {
          onEvents: (batch) => this.deliver(batch, attempt),
          onCaughtUp: () => {
            if (attempt !== this.attempt) return;
            this.options.onCaughtUp?.();
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

  private async deliver(batch: StoredEvent[], attempt: number): Promise<void> {
    if (attempt !== this.attempt) throw new Error('Relay restarted; abandoning this subscription');
    this.inFlight = batch.length;
    await this.sink.deliver(batch);
    const last = batch[batch.length - 1];
    // Only now, with the sink's acknowledgement, may the checkpoint reach this batch: a crash before it is saved
    // delivers the batch again, never skips it.
    await this.checkpointAcknowledged(last.position, attempt);
    this.position = last.position;
    this.lastRecordedAt = last.recordedAt;
    this.deliveredTotal += batch.length;
    this.inFlight = 0;
    this.failures = 0;
    this.lastError = undefined;
    this.options.onAcknowledged?.(batch);
    this.notifyIdle();
  }

  private async checkpointAcknowledged(position: number, attempt: number): Promise<void> {
    if (!this.checkpoint.save) return;
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
    await this.checkpoint.save!(position);
    this.savedPosition = Math.max(this.savedPosition, position);
  }

  private fail(error: Error, attempt: number): void {
    if (attempt !== this.attempt) return;
    this.errorsTotal += 1;
    this.failures += 1;
    this.lastError = error;
    this.caughtUp = false;
    this.options.onError?.(error, this.failures);
    const subscription = this.subscription;
    this.subscription = undefined;
    void subscription?.stop().catch(() => undefined);
    void this.sink.close?.().catch(() => undefined);
    if (!this.running) return;
    const restart = this.options.restart;
    if (restart === false) {
      this.running = false;
      return;
    }
    const next = ++this.attempt;
    this.restartTimer = setTimeout(() => void (this.running && this.open(next)), backoffDelay(this.failures, restart));
  }

  /** Resolves when everything the subscription delivered so far is acknowledged and it is live (or after timeoutMs). */
  async flush(timeoutMs = 5000): Promise<boolean> {
    // Let an append that just resolved reach the subscription before judging it idle.
    await new Promise((resolve) => setImmediate(resolve));
    const isIdle = () => this.caughtUp && this.inFlight === 0 && this.failures === 0;
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

  /** Stops, saving the last acknowledged position. Whatever was not acknowledged is delivered by the next start. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const timeoutMs = this.options.stopTimeoutMs;
    // While failing, a flush cannot succeed: what is unacknowledged stays behind the checkpoint for the next start.
    if (timeoutMs !== undefined && this.failures === 0) await this.flush(timeoutMs);
    this.running = false;
    this.attempt += 1;
    clearTimeout(this.restartTimer);
    const subscription = this.subscription;
    this.subscription = undefined;
    await (timeoutMs === undefined ? subscription?.stop() : settleWithin(subscription?.stop(), timeoutMs));
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    // this.position is only ever an acknowledged (or skipped) position, also right after a failure.
    if (this.checkpoint.save && this.position > this.savedPosition) await this.saveCheckpoint(this.position).catch(() => undefined);
    await this.sink.close?.().catch(() => undefined);
  }

  status(): RelayStatus {
    return {
      running: this.running,
      caughtUp: this.caughtUp,
      position: this.position,
      lastRecordedAt: this.lastRecordedAt,
      inFlight: this.inFlight,
      deliveredTotal: this.deliveredTotal,
      errorsTotal: this.errorsTotal,
      consecutiveFailures: this.failures,
      lastError: this.lastError?.message,
    };
  }

  /**
   * Events in the log after the position that pass the filter, counted (see lagBehind: on EventStoreDB positions are
   * byte offsets, so head minus position counts nothing). Counting stops at maxCount.
   */
  lag(maxCount = 10_000): Promise<Lag> {
    return lagBehind(this.store, this.position, { filter: this.options.filter, maxCount });
  }
}

function settleWithin(promise: Promise<void> | undefined, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}
